using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// GET <c>pods/{name}/log</c> (upstream <c>LogREST</c> + <c>LogLocation</c>): options decoded and validated, the pod
/// read (404), the container chosen (400 when ambiguous or unknown). A pod with no node has no log yet: upstream
/// answers 200 with an empty <c>text/plain</c> body. A pod on a node (404 when the node does not exist) gets its log
/// streamed from that node's kubelet (<c>/containerLogs/NS/POD/CONTAINER</c>, see <see cref="KubeletProxy"/>).
/// </summary>
internal sealed class PodLogHandler : ISubresourceHandler
{
    private PodLogHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static PodLogHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["get", "watch"];

    /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var (ctx, e, ns, name) = (call.Http, call.Endpoint, call.Namespace, call.Name);
        var q = ctx.Request.Query;
        var container = QueryParameters.First(ctx.Request.Query, "container") ?? "";
        _ = QueryParameters.Bool(ctx.Request.Query, "follow");
        _ = QueryParameters.Bool(ctx.Request.Query, "previous");
        _ = QueryParameters.Bool(ctx.Request.Query, "timestamps");
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

        if (sinceSeconds is not null && QueryParameters.First(ctx.Request.Query, "sinceTime") is not null)
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

        var pod = await e.PodsStore().GetAsync(ns, name, "", ct).ConfigureAwait(false);
        container = ResourceEndpoint.ChooseContainer(pod, name, container);
        var node = await e.RequireNodeAsync(pod, name, emptyLocationIsError: false, ct).ConfigureAwait(false);
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
            if (QueryParameters.Bool(ctx.Request.Query, flag))
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

        if (QueryParameters.First(ctx.Request.Query, "sinceTime") is { } sinceTime)
        {
            query.Add(new("sinceTime", sinceTime));
        }

        var url = ResourceEndpoint.KubeletUrl(node, $"/containerLogs/{ResourceEndpoint.Escape(ns)}/{ResourceEndpoint.Escape(name)}/{ResourceEndpoint.Escape(container)}", query);
        await e.Kubelet.StreamAsync(ctx, url, "text/plain", ct).ConfigureAwait(false);
    }
}
