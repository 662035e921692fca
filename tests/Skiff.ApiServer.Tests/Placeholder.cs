namespace Skiff.ApiServer.Tests;

public class AssemblyMarker { }
