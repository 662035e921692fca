using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// Tests that run a real kubelet (containerd, the <c>cni0</c> bridge, ports 10250 and 10248, 10.42.0.0/24, kube-proxy's
/// netfilter tables) share the node: they run one at a time and apart from every other test of this assembly, and the
/// collection holds the cross-process <see cref="RealNodeLock"/> while it runs, so the real-node tests of other test
/// projects (<c>Skiff.Kubelet.Tests</c>' containerd fixtures) wait for them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealNodeCollection : ICollectionFixture<RealNodeCollection.NodeLock>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "real-node";

    /// <summary>Holds <see cref="RealNodeLock"/> from the collection's first test to its last.</summary>
    public sealed class NodeLock : IAsyncLifetime
    {
        private RealNodeLock? _lock;

        public async Task InitializeAsync() => _lock = await RealNodeLock.AcquireAsync(TimeSpan.FromMinutes(30), CancellationToken.None);

        public Task DisposeAsync()
        {
            _lock?.Dispose();
            return Task.CompletedTask;
        }
    }
}
