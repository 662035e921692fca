using Skiff.Client.Cache;
using Skiff.Client.Discovery;
using Skiff.Client.Schema;
using Skiff.Client.Typed;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Hands out one <see cref="SharedIndexInformer{T}"/> of <see cref="DynamicObject"/> per resource (client-go
/// <c>dynamicinformer.DynamicSharedInformerFactory</c>), so any resource — including ones without a model type — can
/// be cached and watched. A view of a <see cref="SharedInformerFactory"/> (which serves typed and dynamic informers
/// alike, see <see cref="Factory"/>): informers requested before or after <see cref="StartAsync"/> are all run;
/// <see cref="WaitForCacheSyncAsync"/> waits for every started one. With a namespace, a cluster-scoped resource is
/// watched cluster-wide (its scope comes from discovery).
/// </summary>
public sealed class DynamicSharedInformerFactory : IAsyncDisposable
{
    /// <param name="ns">Watch only this namespace (null: all).</param>
    /// <param name="restMapper">Resolves resource scopes (default: discovery over <paramref name="client"/>'s REST client).</param>
    public DynamicSharedInformerFactory(DynamicClient client, SharedInformerOptions? options = null, string? ns = null, DeferredRestMapper? restMapper = null)
    {
        Factory = new SharedInformerFactory(new Clientset(client.Rest), options, ns, restMapper);
    }

    /// <summary>The factory behind this view; its typed informers share its start, sync and disposal.</summary>
    public SharedInformerFactory Factory { get; }

    /// <summary>The shared informer of <paramref name="gvr"/>; created (and started, if the factory runs) on first use.</summary>
    public SharedIndexInformer<DynamicObject> ForResource(GroupVersionResource gvr) => Factory.ForResource(gvr);

    /// <summary>Starts every informer requested so far (and any requested later).</summary>
    public Task StartAsync(CancellationToken ct = default) => Factory.StartAsync(ct);

    /// <summary>Waits until every started informer has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct = default) => Factory.WaitForCacheSyncAsync(ct);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
