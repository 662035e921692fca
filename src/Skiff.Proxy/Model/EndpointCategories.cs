namespace Skiff.Proxy.Model;

/// <summary>
/// Upstream's <c>CategorizeEndpoints</c> (<c>pkg/proxy/topology.go</c>, without topology hints): which endpoints serve
/// cluster-policy traffic and which serve local-policy traffic.
/// <list type="bullet">
/// <item>Cluster: the ready endpoints; when there are none, the serving and terminating ones (the fallback that lets a
/// rolling update drain gracefully).</item>
/// <item>Local: this node's ready endpoints; when there are none, this node's serving and terminating ones.</item>
/// <item><see cref="HasAny"/>: some endpoint anywhere could serve (ready, or serving and terminating).</item>
/// </list>
/// </summary>
public sealed record EndpointCategories(IReadOnlyList<EndpointInfo> Cluster, IReadOnlyList<EndpointInfo> Local, bool HasAny)
{
    /// <summary>Categorises <paramref name="state"/>'s endpoints.</summary>
    public static EndpointCategories Of(ServicePortState state)
    {
        var endpoints = state.Endpoints;
        IReadOnlyList<EndpointInfo> cluster = [.. endpoints.Where(e => e.Ready)];
        if (cluster.Count == 0)
        {
            cluster = [.. endpoints.Where(e => e.Serving && e.Terminating)];
        }

        IReadOnlyList<EndpointInfo> local = [.. endpoints.Where(e => e.IsLocal && e.Ready)];
        if (local.Count == 0)
        {
            local = [.. endpoints.Where(e => e.IsLocal && e.Serving && e.Terminating)];
        }

        var hasAny = endpoints.Any(e => e.Ready || (e.Serving && e.Terminating));
        return new EndpointCategories(cluster, local, hasAny);
    }
}
