using Skiff.Client.Discovery;
using Skiff.Client.Schema;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>Maps an ownerReference's apiVersion and kind to a served resource through discovery (upstream's RESTMapper).</summary>
internal sealed class ResourceMapper(DiscoveryClient discovery)
{
    /// <summary>The resource and scope of <paramref name="apiVersion"/>/<paramref name="kind"/>.</summary>
    /// <exception cref="RestMappingException">No served resource has that kind.</exception>
    public async Task<(GroupVersionResource Resource, bool Namespaced)> MapAsync(string apiVersion, string kind, CancellationToken ct)
    {
        var gvk = GroupVersionKind.FromApiVersion(apiVersion, kind);
        var doc = await discovery.GetAsync(ct).ConfigureAwait(false);
        var found = Find(doc, gvk);
        if (found is null)
        {
            // Maybe a type served since the last fetch.
            discovery.Invalidate();
            found = Find(await discovery.GetAsync(ct).ConfigureAwait(false), gvk);
        }

        return found is null ? throw new RestMappingException(gvk) : (found.Resource, found.Namespaced);
    }

    private static DiscoveredResource? Find(DiscoveryDocument doc, GroupVersionKind gvk)
        => doc.Resources.FirstOrDefault(r => r.Kind == gvk && !r.Resource.Resource.Contains('/', StringComparison.Ordinal));
}
