using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.Webhooks;

/// <summary>
/// Resolves a webhook's Service to the address to dial, like upstream's endpoint resolver
/// (<c>ResolveEndpoint</c>, what <c>--enable-aggregator-routing</c> uses): the API server runs on the node, so a
/// ready endpoint (pod IPs on cni0) is dialled directly; a Service without ready endpoints falls back to its
/// ClusterIP (upstream's default <c>ResolveCluster</c>). The TLS server name stays <c>name.namespace.svc</c>.
/// </summary>
public sealed class WebhookServiceResolver(IStorage storage)
{
    /// <summary>The host and port to dial for <paramref name="service"/>; a <see cref="WebhookCallException"/> with upstream's text when it cannot be resolved.</summary>
    public async Task<(string Host, int Port)> ResolveAsync(WebhookServiceReference service, CancellationToken ct)
    {
        var svc = await GetAsync($"/registry/services/{service.Namespace}/{service.Name}", ct).ConfigureAwait(false)
            ?? throw new WebhookCallException($"service \"{service.Name}\" not found");
        var port = JsonPath.Objects(svc, "spec", "ports").FirstOrDefault(p => JsonPath.Long(p, "port") == service.Port)
            ?? throw new WebhookCallException($"no service port {service.Port} found for service \"{service.Name}\"");
        var portName = JsonPath.Str(port, "name") ?? "";
        if (await GetAsync($"/registry/endpoints/{service.Namespace}/{service.Name}", ct).ConfigureAwait(false) is { } endpoints)
        {
            foreach (var subset in JsonPath.Objects(endpoints, "subsets"))
            {
                var target = JsonPath.Objects(subset, "ports").FirstOrDefault(p => (JsonPath.Str(p, "name") ?? "") == portName);
                var address = JsonPath.Objects(subset, "addresses").Select(a => JsonPath.Str(a, "ip")).FirstOrDefault(ip => ip is { Length: > 0 });
                if (target is not null && address is not null && JsonPath.Long(target, "port") is { } targetPort)
                {
                    return (address, (int)targetPort);
                }
            }
        }

        var clusterIp = JsonPath.Str(svc, "spec", "clusterIP");
        if (clusterIp is null or "" or "None")
        {
            throw new WebhookCallException($"no endpoints available for service \"{service.Name}\"");
        }

        return (clusterIp, service.Port);
    }

    private async Task<JsonObject?> GetAsync(string key, CancellationToken ct)
    {
        try
        {
            var kv = await storage.GetAsync(key, 0, ct).ConfigureAwait(false);
            return kv is null ? null : GenericStore.Decode(kv);
        }
        catch (StatusException)
        {
            return null;
        }
    }
}
