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
    /// <summary>
    /// GET <c>pods/{name}/log</c> (upstream <c>LogREST</c> + <c>LogLocation</c>): options decoded and validated, the pod
    /// read (404), the container chosen (400 when ambiguous or unknown). A pod with no node has no log yet: upstream
    /// answers 200 with an empty <c>text/plain</c> body. A pod on a node (404 when the node does not exist) gets its log
    /// streamed from that node's kubelet (<c>/containerLogs/NS/POD/CONTAINER</c>, see <see cref="KubeletProxy"/>).
    /// </summary>
    private async Task LogAsync(HttpContext ctx, string ns, string name, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        var container = Query(ctx, "container") ?? "";
        _ = QueryBool(ctx, "follow");
        _ = QueryBool(ctx, "previous");
        _ = QueryBool(ctx, "timestamps");
        var sinceSeconds = QueryParameters.OptionalInt64(q, "sinceSeconds");
        var tailLines = QueryParameters.OptionalInt64(q, "tailLines");
        var limitBytes = QueryParameters.OptionalInt64(q, "limitBytes");
        var errors = new List<FieldError>();
        if (tailLines is < 0)
        {
            errors.Add(FieldError.Invalid("tailLines", tailLines.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than or equal to 0"));
        }

        if (limitBytes is < 1)
        {
            errors.Add(FieldError.Invalid("limitBytes", limitBytes.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than 0"));
        }

        if (sinceSeconds is not null && Query(ctx, "sinceTime") is not null)
        {
            errors.Add(FieldError.Forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
        }
        else if (sinceSeconds is < 1)
        {
            errors.Add(FieldError.Invalid("sinceSeconds", sinceSeconds.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than 0"));
        }

        if (errors.Count > 0)
        {
            throw StatusErrors.Invalid("", "PodLogOptions", name, errors);
        }

        var pod = await PodsStore().GetAsync(ns, name, "", ct).ConfigureAwait(false);
        container = ChooseContainer(pod, name, container);
        var node = await RequireNodeAsync(pod, name, emptyLocationIsError: false, ct).ConfigureAwait(false);
        if (node is null)
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/plain";
            ctx.Response.ContentLength = 0;
            return;
        }

        var query = new List<KeyValuePair<string, string?>>();
        foreach (var flag in new[] { "follow", "previous", "timestamps" })
        {
            if (QueryBool(ctx, flag))
            {
                query.Add(new(flag, "true"));
            }
        }

        foreach (var (key, value) in new[] { ("sinceSeconds", sinceSeconds), ("tailLines", tailLines), ("limitBytes", limitBytes) })
        {
            if (value is { } v)
            {
                query.Add(new(key, v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        if (Query(ctx, "sinceTime") is { } sinceTime)
        {
            query.Add(new("sinceTime", sinceTime));
        }

        var url = KubeletUrl(node, $"/containerLogs/{Escape(ns)}/{Escape(name)}/{Escape(container)}", query);
        await Kubelet.StreamAsync(ctx, url, "text/plain", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>pods/{name}/exec</c>, <c>attach</c> and <c>portforward</c> (upstream connecters behind an upgrade-aware proxy):
    /// the pod (404), the container for exec/attach (400), the node (400 <c>pod X does not have a host assigned</c>,
    /// 404 for a missing node), then a request without a connection upgrade is 400 <c>Upgrade request required</c>.
    /// An upgrade request is proxied to the kubelet's <c>/exec</c>, <c>/attach</c> or <c>/portForward</c> (see <see cref="KubeletProxy"/>);
    /// kubectl's port-forward over WebSocket (SPDY tunnelled, <c>SPDY/3.1+portforward.k8s.io</c>) becomes a SPDY upgrade
    /// to the kubelet (<see cref="KubeletProxy.TunnelAsync"/>).
    /// </summary>
    private async Task ConnectAsync(HttpContext ctx, string ns, string name, string subresource, CancellationToken ct)
    {
        var pod = await PodsStore().GetAsync(ns, name, "", ct).ConfigureAwait(false);
        var container = subresource != "portforward" ? ChooseContainer(pod, name, Query(ctx, "container") ?? "") : "";
        var node = await RequireNodeAsync(pod, name, emptyLocationIsError: true, ct).ConfigureAwait(false);
        if (!IsUpgradeRequest(ctx.Request))
        {
            throw StatusErrors.BadRequest("Upgrade request required");
        }

        // Upstream's streamLocation: PodExecOptions / PodAttachOptions become the kubelet's input/output/error/tty/command.
        var query = new List<KeyValuePair<string, string?>>();
        string path;
        if (subresource == "portforward")
        {
            path = $"/portForward/{Escape(ns)}/{Escape(name)}";
        }
        else
        {
            foreach (var (option, param) in new[] { ("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty") })
            {
                if (QueryBool(ctx, option))
                {
                    query.Add(new(param, "1"));
                }
            }

            if (subresource == "exec")
            {
                foreach (var c in ctx.Request.Query["command"])
                {
                    query.Add(new("command", c));
                }
            }

            path = $"/{subresource}/{Escape(ns)}/{Escape(name)}/{Escape(container)}";
        }

        if (subresource == "portforward")
        {
            // Upstream's PortForwardOptions: the ports are passed on as the kubelet's query.
            foreach (var port in ctx.Request.Query["ports"].SelectMany(p => (p ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                query.Add(new("port", port));
            }
        }

        var url = KubeletUrl(node!, path, query);
        if (subresource == "portforward" && KubeletProxy.IsSpdyTunnelRequest(ctx.Request))
        {
            await Kubelet.TunnelAsync(ctx, url, ct).ConfigureAwait(false);
            return;
        }

        await Kubelet.UpgradeAsync(ctx, url, ct).ConfigureAwait(false);
    }

    private KubeletProxy Kubelet => LazyInitializer.EnsureInitialized(ref _kubeletProxy,
        () => new KubeletProxy(() => Security.ClusterCertificates.LoadOrCreate(Path.Combine(_options.DataDirectory, "pki")).KubeletClient));

    private KubeletProxy? _kubeletProxy;

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    /// <summary>The kubelet URL on <paramref name="node"/> for <paramref name="path"/> (503 when the node has no address).</summary>
    private static Uri KubeletUrl(JsonObject node, string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var nodeName = node["metadata"]?["name"]?.GetValue<string>() ?? "";
        var baseUrl = KubeletProxy.Location(node) ?? throw NoKubelet(nodeName);
        var q = Microsoft.AspNetCore.Http.QueryString.Create(query);
        return new Uri(baseUrl, path + q.ToUriComponent());
    }

    /// <summary>Upstream's <c>validateContainer</c>: the one container when none is named, else the named one must exist.</summary>
    private static string ChooseContainer(JsonObject pod, string name, string container)
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
    private async Task<JsonObject?> RequireNodeAsync(JsonObject pod, string name, bool emptyLocationIsError, CancellationToken ct)
    {
        var node = pod["spec"]?["nodeName"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        if (node.Length == 0)
        {
            return emptyLocationIsError ? throw StatusErrors.BadRequest($"pod {name} does not have a host assigned") : null;
        }

        var nodes = _registry.Find("", "v1", "nodes") ?? throw NoKubelet(node);
        return await StoreFor(nodes).GetAsync("", node, "", ct).ConfigureAwait(false);
    }

    private static StatusException NoKubelet(string node) =>
        StatusErrors.ServiceUnavailable($"error dialing backend: no kubelet serves node {GoFormat.Quote(node)}");

    /// <summary>Whether the request asks for a connection upgrade (SPDY or WebSocket), as <c>httpstream.IsUpgradeRequest</c>.</summary>
    private static bool IsUpgradeRequest(HttpRequest request) =>
        request.Headers.Connection.Any(c => c?.Contains("upgrade", StringComparison.OrdinalIgnoreCase) == true)
        && request.Headers.Upgrade.Count > 0;

    private static bool IsGlobalUnicast(IPAddress ip)
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
