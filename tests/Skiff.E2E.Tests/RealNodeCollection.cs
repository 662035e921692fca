using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// Tests that run a real kubelet (containerd, the <c>cni0</c> bridge, port 10250, 10.42.0.0/24) share the node: they run
/// one at a time and apart from every other test of this assembly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealNodeCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "real-node";
}
