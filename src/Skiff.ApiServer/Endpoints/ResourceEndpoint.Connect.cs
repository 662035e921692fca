using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    /// <summary>The way to the kubelets (logs, exec, attach, portforward, nodes/proxy).</summary>
    internal KubeletProxy Kubelet => LazyInitializer.EnsureInitialized(ref _kubeletProxy,
        () => new KubeletProxy(() => Security.ClusterCertificates.LoadOrCreate(Path.Combine(_options.DataDirectory, "pki")).KubeletClient));

    private KubeletProxy? _kubeletProxy;

    /// <summary>The proxy of <c>pods|services|nodes/NAME/proxy</c> (<see cref="Subresources.ProxyHandler"/>).</summary>
    internal ProxyForwarder Proxy => LazyInitializer.EnsureInitialized(ref _proxyForwarder, () => new ProxyForwarder());

    private ProxyForwarder? _proxyForwarder;

    /// <summary>One path segment escaped for a kubelet URL.</summary>
    internal static string Escape(string segment) => Uri.EscapeDataString(segment);

    /// <summary>The kubelet URL on <paramref name="node"/> for <paramref name="path"/> (503 when the node has no address).</summary>
    internal static Uri KubeletUrl(JsonObject node, string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var nodeName = node["metadata"]?["name"]?.GetValue<string>() ?? "";
        var baseUrl = KubeletProxy.Location(node) ?? throw NoKubelet(nodeName);
        var q = Microsoft.AspNetCore.Http.QueryString.Create(query);
        return new Uri(baseUrl, path + q.ToUriComponent());
    }

    /// <summary>Upstream's <c>validateContainer</c>: the one container when none is named, else the named one must exist.</summary>
    internal static string ChooseContainer(JsonObject pod, string name, string container)
    {
        var spec = pod["spec"] as JsonObject;
        var containers = (spec?["containers"] as JsonArray ?? []).Select(ContainerName).ToList();
        var all = new[] { "initContainers", "containers", "ephemeralContainers" }
            .SelectMany(k => (spec?[k] as JsonArray ?? []).Select(ContainerName)).ToList();
        if (container.Length == 0)
        {
            switch (containers.Count)
            {
                case 1:
                    return containers[0];
                case 0:
                    throw StatusErrors.BadRequest($"a container name must be specified for pod {name}");
                default:
                    throw StatusErrors.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', all)}]");
            }
        }

        if (!all.Contains(container, StringComparer.Ordinal))
        {
            throw StatusErrors.BadRequest($"container {container} is not valid for pod {name}");
        }

        return container;
    }

    private static string ContainerName(JsonNode? c) => c?["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    /// <summary>The pod's node, which must exist (404); none assigned: null for log, 400 for the streaming verbs.</summary>
    internal async Task<JsonObject?> RequireNodeAsync(JsonObject pod, string name, bool emptyLocationIsError, CancellationToken ct)
    {
        var node = pod["spec"]?["nodeName"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        if (node.Length == 0)
        {
            return emptyLocationIsError ? throw StatusErrors.BadRequest($"pod {name} does not have a host assigned") : null;
        }

        var nodes = _registry.Find("", "v1", "nodes") ?? throw NoKubelet(node);
        return await StoreFor(nodes).GetAsync("", node, "", ct).ConfigureAwait(false);
    }

    internal static StatusException NoKubelet(string node) =>
        StatusErrors.ServiceUnavailable($"error dialing backend: no kubelet serves node {GoFormat.Quote(node)}");

    /// <summary>Whether the request asks for a connection upgrade (SPDY or WebSocket), as <c>httpstream.IsUpgradeRequest</c>.</summary>
    internal static bool IsUpgradeRequest(HttpRequest request) =>
        request.Headers.Connection.Any(c => c?.Contains("upgrade", StringComparison.OrdinalIgnoreCase) == true)
        && request.Headers.Upgrade.Count > 0;

    internal static bool IsGlobalUnicast(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.IsIPv6LinkLocal || ip.IsIPv6Multicast)
        {
            return false;
        }

        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return !((b[0] >= 224 && b[0] <= 239) || (b[0] == 169 && b[1] == 254) || ip.Equals(IPAddress.Broadcast));
        }

        return true;
    }
}
