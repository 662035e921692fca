using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Registry.Core;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// What upstream's API server does once at start besides serving: the service IP and node-port repair
/// (<c>pkg/registry/core/service/ipallocator/controller/repair.go</c>, run before serving) and the bootstrap
/// controller's <c>default/kubernetes</c> Service with its Endpoints and EndpointSlice
/// (<c>pkg/controlplane/controller/kubernetesservice</c>, <c>reconcilers</c>). Every step is skipped when the
/// resource it writes is not served.
/// </summary>
internal static class ClusterBootstrap
{
    private const string ServiceName = "kubernetes";
    private const string Manager = "kube-apiserver";

    /// <summary>Rebuilds the allocation bitmaps from every stored Service (bitmaps may lag a crash or a restore).</summary>
    public static async Task RepairServiceAllocatorsAsync(ResourceRegistry registry, ResourceEndpoint resources, ApiServerOptions options, CancellationToken ct)
    {
        if (registry.Find("", "v1", "services") is not { Strategy: ServiceStrategy strategy } descriptor)
        {
            return;
        }

        var page = await resources.StoreFor(descriptor).ListAsync("", new ListQuery(), ct).ConfigureAwait(false);
        await strategy.Allocators.RepairAsync(options.Storage, page.Items, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates (or corrects the ports of) the <c>default/kubernetes</c> Service — cluster IP the first address of
    /// the service range, port 443 named https to <paramref name="port"/> — and its Endpoints and EndpointSlice
    /// pointing at <paramref name="address"/>:<paramref name="port"/>.
    /// </summary>
    public static async Task EnsureKubernetesServiceAsync(ResourceRegistry registry, ResourceEndpoint resources, string address, int port, CancellationToken ct)
    {
        if (registry.Find("", "v1", "services") is { Strategy: ServiceStrategy strategy } services)
        {
            await EnsureAsync(resources.StoreFor(services), Service(strategy.Allocators.KubernetesServiceIp, port),
                o => JsonNode.DeepEquals(o["spec"]?["ports"], Service("", port)["spec"]!["ports"]),
                o => o["spec"]!["ports"] = Service("", port)["spec"]!["ports"]!.DeepClone(), ct).ConfigureAwait(false);
        }

        if (registry.Find("", "v1", "endpoints") is { } endpoints)
        {
            var desired = Endpoints(address, port);
            await EnsureAsync(resources.StoreFor(endpoints), desired,
                o => JsonNode.DeepEquals(o["subsets"], desired["subsets"]),
                o => o["subsets"] = desired["subsets"]!.DeepClone(), ct).ConfigureAwait(false);
        }

        if (registry.Find("discovery.k8s.io", "v1", "endpointslices") is { } slices)
        {
            var desired = Slice(address, port);
            await EnsureAsync(resources.StoreFor(slices), desired,
                o => JsonNode.DeepEquals(o["endpoints"], desired["endpoints"]) && JsonNode.DeepEquals(o["ports"], desired["ports"]),
                o =>
                {
                    o["endpoints"] = desired["endpoints"]!.DeepClone();
                    o["ports"] = desired["ports"]!.DeepClone();
                }, ct).ConfigureAwait(false);
        }
    }

    private static async Task EnsureAsync(GenericStore store, JsonObject desired, Func<JsonObject, bool> upToDate, Action<JsonObject> fix, CancellationToken ct)
    {
        var write = new WriteOptions(false, Manager);
        if (await store.GetRawAsync("default", ServiceName, ct).ConfigureAwait(false) is { } kv)
        {
            if (!upToDate(GenericStore.Decode(kv)))
            {
                await store.UpdateAsync("default", ServiceName, o =>
                {
                    fix(o);
                    return o;
                }, null, write, ct).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            await store.CreateAsync("default", desired, write, ct).ConfigureAwait(false);
        }
        catch (StatusException e) when (e.Code == 409)
        {
            // Created concurrently by another server on the same store.
        }
    }

    private static JsonObject Service(string clusterIp, int port)
    {
        var spec = new JsonObject
        {
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["protocol"] = "TCP", ["port"] = 443, ["targetPort"] = port }),
            ["type"] = "ClusterIP",
            ["sessionAffinity"] = "None",
        };
        if (clusterIp.Length > 0)
        {
            spec["clusterIP"] = clusterIp;
            spec["clusterIPs"] = new JsonArray(clusterIp);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Metadata(new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" }),
            ["spec"] = spec,
        };
    }

    private static JsonObject Endpoints(string address, int port) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Endpoints",
        ["metadata"] = Metadata(new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" }),
        ["subsets"] = new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["ip"] = address }),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
        }),
    };

    private static JsonObject Slice(string address, int port) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = Metadata(new JsonObject { ["kubernetes.io/service-name"] = ServiceName }),
        ["addressType"] = "IPv4",
        ["endpoints"] = new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray(address),
            ["conditions"] = new JsonObject { ["ready"] = true },
        }),
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
    };

    private static JsonObject Metadata(JsonObject labels) => new()
    {
        ["name"] = ServiceName,
        ["namespace"] = "default",
        ["labels"] = labels,
    };
}
