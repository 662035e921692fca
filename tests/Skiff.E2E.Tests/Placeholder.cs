namespace Skiff.E2E.Tests;

public class AssemblyMarker { }
