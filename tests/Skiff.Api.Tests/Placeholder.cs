namespace Skiff.Api.Tests;

public class AssemblyMarker { }
