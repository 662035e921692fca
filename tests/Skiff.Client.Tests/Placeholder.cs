namespace Skiff.Client.Tests;

public class AssemblyMarker { }
