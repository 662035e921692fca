using System.Runtime.CompilerServices;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Schema;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Lists and watches a resource of a <see cref="SharedInformerFactory"/> as <see cref="DynamicObject"/>s. When the
/// factory watches one namespace, the resource's scope is resolved (through the factory's RESTMapper, once) before the
/// first request, so a cluster-scoped resource is listed cluster-wide instead of under a namespace path; a resolution
/// failure fails the list, which the reflector retries with backoff.
/// </summary>
internal sealed class ResolvingListerWatcher(SharedInformerFactory factory, GroupVersionResource gvr) : IListerWatcher<DynamicObject>
{
    private DynamicResourceClient? _client;

    public async Task<ObjectList<DynamicObject>> ListAsync(ListOptions options, CancellationToken ct)
        => await ((IListerWatcher<DynamicObject>)await ClientAsync(ct).ConfigureAwait(false)).ListAsync(options, ct).ConfigureAwait(false);

    public async IAsyncEnumerable<WatchEvent<DynamicObject>> WatchAsync(ListOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        IListerWatcher<DynamicObject> client = await ClientAsync(ct).ConfigureAwait(false);
        await foreach (var e in client.WatchAsync(options, ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private async ValueTask<DynamicResourceClient> ClientAsync(CancellationToken ct)
    {
        if (_client is { } known)
        {
            return known;
        }

        var ns = factory.Namespace;
        if (ns is not null && !(await factory.GetMappingAsync(gvr, ct).ConfigureAwait(false)).Namespaced)
        {
            ns = null;
        }

        return _client = factory.DynamicClient.Resource(gvr).Namespace(ns);
    }
}
