namespace Skiff.Storage.Tests;

public class AssemblyMarker { }
