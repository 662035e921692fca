using Skiff.Api.Errors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// <c>pods/{name}/exec</c>, <c>attach</c> and <c>portforward</c> (upstream connecters behind an upgrade-aware proxy),
/// first admitted as a <c>connect</c> of the subresource with its options kind (PodExecOptions, …):
/// the pod (404), the container for exec/attach (400), the node (400 <c>pod X does not have a host assigned</c>,
/// 404 for a missing node), then a request without a connection upgrade is 400 <c>Upgrade request required</c>.
/// An upgrade request is proxied to the kubelet's <c>/exec</c>, <c>/attach</c> or <c>/portForward</c> (see <see cref="KubeletProxy"/>);
/// kubectl's port-forward over WebSocket (SPDY tunnelled, <c>SPDY/3.1+portforward.k8s.io</c>) becomes a SPDY upgrade
/// to the kubelet (<see cref="KubeletProxy.TunnelAsync"/>).
/// </summary>
internal sealed class PodConnectHandler : ISubresourceHandler
{
    private PodConnectHandler()
    {
    }

    /// <summary>The one instance (exec, attach and portforward).</summary>
    public static PodConnectHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["get", "watch", "create"];

    /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var (ctx, e, ns, name, subresource) = (call.Http, call.Endpoint, call.Namespace, call.Name, call.SubresourceName);
        await e.AdmitAsync(call, AdmissionOperation.Connect, call.Subresource!.Kind, null, ct).ConfigureAwait(false);
        var pod = await e.PodsStore().GetAsync(ns, name, "", ct).ConfigureAwait(false);
        var container = subresource != "portforward" ? ResourceEndpoint.ChooseContainer(pod, name, QueryParameters.First(ctx.Request.Query, "container") ?? "") : "";
        var node = await e.RequireNodeAsync(pod, name, emptyLocationIsError: true, ct).ConfigureAwait(false);
        if (!ResourceEndpoint.IsUpgradeRequest(ctx.Request))
        {
            throw StatusErrors.BadRequest("Upgrade request required");
        }

        // Upstream's streamLocation: PodExecOptions / PodAttachOptions become the kubelet's input/output/error/tty/command.
        var query = new List<KeyValuePair<string, string?>>();
        string path;
        if (subresource == "portforward")
        {
            path = $"/portForward/{ResourceEndpoint.Escape(ns)}/{ResourceEndpoint.Escape(name)}";
        }
        else
        {
            foreach (var (option, param) in new[] { ("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty") })
            {
                if (QueryParameters.Bool(ctx.Request.Query, option))
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

            path = $"/{subresource}/{ResourceEndpoint.Escape(ns)}/{ResourceEndpoint.Escape(name)}/{ResourceEndpoint.Escape(container)}";
        }

        if (subresource == "portforward")
        {
            // Upstream's PortForwardOptions: the ports are passed on as the kubelet's query.
            foreach (var port in ctx.Request.Query["ports"].SelectMany(p => (p ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                query.Add(new("port", port));
            }
        }

        var url = ResourceEndpoint.KubeletUrl(node!, path, query);
        if (subresource == "portforward" && KubeletProxy.IsSpdyTunnelRequest(ctx.Request))
        {
            await e.Kubelet.TunnelAsync(ctx, url, ct).ConfigureAwait(false);
            return;
        }

        await e.Kubelet.UpgradeAsync(ctx, url, ct).ConfigureAwait(false);
    }
}
