using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// Where an APIService's Service is reached (upstream <c>ServiceResolver</c>): an ExternalName Service at its external
/// name and the APIService's port (a backend outside the cluster); otherwise, with aggregator routing, a ready
/// endpoint address and the target port of the Service port named by the APIService (upstream's
/// <c>ResolveEndpoint</c>), else the cluster IP and port (<c>ResolveCluster</c>). Failures carry upstream's
/// availability reasons and messages.
/// </summary>
internal sealed class ServiceResolver(ResourceRegistry registry, ResourceEndpoint endpoint, bool endpointRouting)
{
    /// <summary>The backend's base URL (<c>https://host:port</c>).</summary>
    /// <exception cref="ResolveException">The Service, its port or its endpoints are missing.</exception>
    public async Task<Uri> ResolveAsync(ServiceReference service, CancellationToken ct)
    {
        var svc = await GetAsync("services", service, ct).ConfigureAwait(false)
            ?? throw new ResolveException("ServiceNotFound", $"service/{service.Name} in {Q(service.Namespace)} is not present");
        if (JsonPath.Str(svc, "spec", "type") == "ExternalName")
        {
            var external = JsonPath.Str(svc, "spec", "externalName") ?? "";
            return Build(external, service.Port);
        }

        var port = JsonPath.Objects(svc, "spec", "ports").FirstOrDefault(p => JsonPath.Long(p, "port") == service.Port)
            ?? throw new ResolveException("ServicePortError", $"service/{service.Name} in {Q(service.Namespace)} is not listening on port {service.Port}");
        if (!endpointRouting && JsonPath.Str(svc, "spec", "clusterIP") is { Length: > 0 } ip && ip != "None")
        {
            return Build(ip, service.Port);
        }

        var endpoints = await GetAsync("endpoints", service, ct).ConfigureAwait(false)
            ?? throw new ResolveException("EndpointsNotFound", $"cannot find endpoints for service/{service.Name} in {Q(service.Namespace)}");
        var portName = JsonPath.Str(port, "name") ?? "";
        foreach (var subset in JsonPath.Objects(endpoints, "subsets"))
        {
            var target = JsonPath.Objects(subset, "ports").FirstOrDefault(p => (JsonPath.Str(p, "name") ?? "") == portName);
            var address = JsonPath.Objects(subset, "addresses").Select(a => JsonPath.Str(a, "ip")).FirstOrDefault(a => !string.IsNullOrEmpty(a));
            if (target is not null && address is not null && JsonPath.Long(target, "port") is { } p)
            {
                return Build(address, (int)p);
            }
        }

        throw new ResolveException("MissingEndpoints", $"endpoints for service/{service.Name} in {Q(service.Namespace)} have no addresses with port name {Q(portName)}");
    }

    private static Uri Build(string host, int port) =>
        new UriBuilder("https", host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, port).Uri;

    private static string Q(string s) => Rules.Q(s);

    private async Task<JsonObject?> GetAsync(string resource, ServiceReference service, CancellationToken ct)
    {
        if (registry.Find("", "v1", resource) is not { } d)
        {
            return null;
        }

        try
        {
            return await endpoint.StoreFor(d).GetAsync(service.Namespace, service.Name, "", ct).ConfigureAwait(false);
        }
        catch (StatusException e) when (e.Code == 404)
        {
            return null;
        }
    }
}

/// <summary>A Service that cannot be resolved, with upstream's availability reason.</summary>
internal sealed class ResolveException(string reason, string message) : Exception(message)
{
    /// <summary>ServiceNotFound, ServicePortError, EndpointsNotFound or MissingEndpoints.</summary>
    public string Reason { get; } = reason;
}
