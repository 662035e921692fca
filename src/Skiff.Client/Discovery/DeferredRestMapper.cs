using Skiff.Client.Schema;

namespace Skiff.Client.Discovery;

/// <summary>
/// A <see cref="RestMapper"/> over a <see cref="DiscoveryClient"/>'s cached document (client-go
/// <c>DeferredDiscoveryRESTMapper</c>): built on first use; when a lookup finds no match, discovery is invalidated and
/// the lookup retried once on a fresh document, so resources added since (e.g. by a CRD) are found.
/// </summary>
public sealed class DeferredRestMapper(DiscoveryClient discovery)
{
    private RestMapper? _last;

    public Task<DiscoveredResource> ResourceForAsync(string argument, CancellationToken ct = default)
        => WithRetryAsync(m => m.ResourceFor(argument), ct);

    public Task<GroupVersionKind> KindForAsync(GroupVersionResource gvr, CancellationToken ct = default)
        => WithRetryAsync(m => m.KindFor(gvr), ct);

    public Task<RestMapping> RestMappingForAsync(GroupVersionKind gvk, CancellationToken ct = default)
        => WithRetryAsync(m => m.RestMappingFor(gvk), ct);

    /// <summary>The mapping of <paramref name="gvr"/> (its kind and scope); the resource may be a singular or short name.</summary>
    /// <exception cref="NoMatchException">The resource is not served, even after refreshing discovery.</exception>
    public Task<RestMapping> RestMappingForAsync(GroupVersionResource gvr, CancellationToken ct = default)
        => WithRetryAsync(m => m.RestMappingFor(gvr), ct);

    public Task<RestMapping> RestMappingForAsync(string group, string kind, CancellationToken ct = default)
        => WithRetryAsync(m => m.RestMappingFor(group, kind), ct);

    /// <summary>Drops the cached discovery document.</summary>
    public void Reset() => discovery.Invalidate();

    private async Task<TResult> WithRetryAsync<TResult>(Func<RestMapper, TResult> lookup, CancellationToken ct)
    {
        try
        {
            return lookup(await MapperAsync(ct).ConfigureAwait(false));
        }
        catch (NoMatchException)
        {
            discovery.Invalidate();
            return lookup(await MapperAsync(ct).ConfigureAwait(false));
        }
    }

    private async Task<RestMapper> MapperAsync(CancellationToken ct)
    {
        var doc = await discovery.GetAsync(ct).ConfigureAwait(false);
        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Document, doc))
        {
            return last;
        }

        var mapper = new RestMapper(doc);
        Volatile.Write(ref _last, mapper);
        return mapper;
    }
}
