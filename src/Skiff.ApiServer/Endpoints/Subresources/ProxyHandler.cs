using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Selectors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// <c>{pods,services,nodes}/{[scheme:]name[:port]}/proxy[/path]</c> (upstream <c>ProxyREST</c> with each resource's
/// <c>ResourceLocation</c>), first admitted as a <c>connect</c> of <c>RESOURCE/proxy</c> with its options kind: the object must exist (404). A pod is reached at its IP (400 <c>address not allowed</c>
/// for a non-routable one) and the given port (none: the scheme's default); a service at a random ready endpoint of
/// its EndpointSlices for the named or numbered service port (503 <c>no endpoints available for service</c>); a node
/// at its kubelet (HTTPS, the kubelet-client certificate) unless another port is named. The rest of the path, the
/// query and the body are forwarded; a request for the bare <c>…/proxy</c> of a GET is redirected (301) to
/// <c>…/proxy/</c> (upstream's issue 4958 hack). Upgrades are switched only after the backend's 101 (see
/// <see cref="ProxyForwarder"/>).
/// </summary>
internal sealed class ProxyHandler : ISubresourceHandler
{
    private ProxyHandler()
    {
    }

    /// <summary>The one instance (pods, services and nodes).</summary>
    public static ProxyHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["get", "watch", "create", "update", "patch", "delete"];

    /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var (ctx, e, d, ns, name, rest) = (call.Http, call.Endpoint, call.Resource, call.Namespace, call.Name, call.Info.Rest);
        await e.AdmitAsync(call, AdmissionOperation.Connect, call.Subresource!.Kind, null, ct).ConfigureAwait(false);
        var (scheme, target, port) = SplitSchemeNamePort(name);
        var obj = await call.Store.GetAsync(ns, target, "", ct).ConfigureAwait(false);
        var kubelet = false;
        Uri location;
        switch (d.Resource)
        {
            case "pods":
            {
                var ip = obj["status"]?["podIPs"]?[0]?["ip"]?.GetValue<string>() ?? obj["status"]?["podIP"]?.GetValue<string>() ?? "";
                if (!IPAddress.TryParse(ip, out var address) || !ResourceEndpoint.IsGlobalUnicast(address))
                {
                    throw StatusErrors.BadRequest("address not allowed");
                }

                location = Location(scheme, ip, port);
                break;
            }

            case "services":
                location = await ServiceLocationAsync(e, obj, ns, target, scheme, port, ct).ConfigureAwait(false);
                break;
            default:
            {
                var baseUrl = KubeletProxy.Location(obj) ?? throw ResourceEndpoint.NoKubelet(target);
                if (port.Length == 0 || port == baseUrl.Port.ToString(CultureInfo.InvariantCulture))
                {
                    kubelet = scheme is "" or "https";
                    location = new UriBuilder(scheme.Length == 0 ? "https" : scheme, baseUrl.Host, baseUrl.Port).Uri;
                }
                else
                {
                    location = Location(scheme, baseUrl.Host.Trim('[', ']'), port);
                }

                break;
            }
        }

        var path = rest.Count > 0 ? "/" + string.Join('/', rest) : "";
        var requestPath = ctx.Request.Path.Value ?? "";
        if (path.Length > 0 && requestPath.EndsWith('/') && !path.EndsWith('/'))
        {
            path += "/";
        }
        else if (path.Length == 0 && requestPath.EndsWith('/'))
        {
            path = "/";
        }

        if (path.Length == 0 && HttpMethods.IsGet(ctx.Request.Method) && !ResourceEndpoint.IsUpgradeRequest(ctx.Request))
        {
            ctx.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            ctx.Response.Headers.Location = ctx.Request.PathBase + requestPath + "/" + ctx.Request.QueryString;
            return;
        }

        var prefix = ctx.Request.PathBase + (path.Length > 0 && requestPath.EndsWith(path, StringComparison.Ordinal) ? requestPath[..^path.Length] : requestPath.TrimEnd('/'));
        var url = new UriBuilder(location) { Path = path, Query = ctx.Request.QueryString.Value ?? "" }.Uri;
        await e.Proxy.ForwardAsync(ctx, url, prefix, kubelet ? e.Kubelet : null, e.Kubelet, ct).ConfigureAwait(false);
    }


    /// <summary>
    /// Upstream's service <c>ResourceLocation</c>: a numbered port is first mapped to the service port's name (503 when
    /// the service has no such port); then a random ready endpoint of the service's EndpointSlices serving that port
    /// name; 503 <c>no endpoints available for service "NAME"</c> when there is none.
    /// </summary>
    private static async Task<Uri> ServiceLocationAsync(ResourceEndpoint e, JsonObject service, string ns, string name, string scheme, string port, CancellationToken ct)
    {
        var portName = port;
        if (int.TryParse(port, CultureInfo.InvariantCulture, out var number))
        {
            var declared = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(p => p["port"] is JsonValue v && v.TryGetValue<int>(out var n) && n == number)
                ?? throw StatusErrors.ServiceUnavailable($"no service port {number} found for service {GoFormat.Quote(name)}");
            portName = declared["name"]?.GetValue<string>() ?? "";
        }

        var slices = e.Registry.Find("discovery.k8s.io", "v1", "endpointslices");
        var candidates = new List<Uri>();
        if (slices is not null)
        {
            var page = await e.StoreFor(slices).ListAsync(ns, new ListQuery
            {
                Labels = LabelSelector.Parse("kubernetes.io/service-name=" + name),
                Fields = FieldSelector.Everything,
            }, ct).ConfigureAwait(false);
            foreach (var slice in page.Items)
            {
                var slicePort = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(p => (p["name"]?.GetValue<string>() ?? "") == portName && p["port"] is JsonValue);
                if (slicePort is null)
                {
                    continue;
                }

                var targetPort = slicePort["port"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture);
                foreach (var endpoint in (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var ready = endpoint["conditions"]?["ready"] is not JsonValue r || r.GetValue<bool>();
                    var address = (endpoint["addresses"] as JsonArray)?.FirstOrDefault()?.GetValue<string>();
                    if (ready && !string.IsNullOrEmpty(address))
                    {
                        candidates.Add(Location(scheme, address, targetPort));
                    }
                }
            }
        }

        return candidates.Count > 0
            ? candidates[Random.Shared.Next(candidates.Count)]
            : throw StatusErrors.ServiceUnavailable($"no endpoints available for service {GoFormat.Quote(name)}");
    }

    /// <summary>Upstream <c>net.SplitSchemeNamePort</c>: <c>name</c>, <c>name:port</c> or <c>scheme:name:port</c> (400 otherwise).</summary>
    private static (string Scheme, string Name, string Port) SplitSchemeNamePort(string id)
    {
        var parts = id.Split(':');
        (string Scheme, string Name, string Port) split = parts.Length switch
        {
            1 => ("", parts[0], ""),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => throw StatusErrors.BadRequest($"invalid request {GoFormat.Quote(id)}"),
        };
        var (scheme, name, port) = split;
        if (name.Length == 0 || scheme is not ("" or "http" or "https"))
        {
            throw StatusErrors.BadRequest($"invalid request {GoFormat.Quote(id)}");
        }

        return (scheme, name, port);
    }

    private static Uri Location(string scheme, string host, string port)
    {
        var s = scheme.Length == 0 ? "http" : scheme;
        var h = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return port.Length == 0 ? new UriBuilder(s, h).Uri : new UriBuilder(s, h, int.TryParse(port, CultureInfo.InvariantCulture, out var p) ? p : throw StatusErrors.BadRequest($"invalid port {GoFormat.Quote(port)}")).Uri;
    }
}
