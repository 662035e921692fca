namespace Skiff.Storage.Sqlite.Tests;

public class AssemblyMarker { }
