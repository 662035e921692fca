namespace Skiff.Storage.Etcd.Tests;

public class AssemblyMarker { }
