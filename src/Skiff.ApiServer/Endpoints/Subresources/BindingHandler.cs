using System.Globalization;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry.Core;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// POST <c>pods/{name}/binding</c> and the legacy <c>bindings</c> resource (upstream <c>BindingREST</c>; for
/// <c>bindings</c> the body names the pod): assigns the pod to the target node (spec.nodeName, PodScheduled) in one
/// storage update; 409 when it is already bound. Admitted as a <c>create</c> of <c>pods/binding</c>. Answers 201 Success.
/// </summary>
internal sealed class BindingHandler : ISubresourceHandler
{
    private BindingHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static BindingHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["create"];

    /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var (ctx, e, ns) = (call.Http, call.Endpoint, call.Namespace);
        var urlName = call.Subresource is null ? "" : call.Name;
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var binding = await e.ReadSubresourceBodyAsync(call, ct).ConfigureAwait(false);
        ResourceEndpoint.CheckTypeMeta(binding, "Binding", "v1");
        var bodyName = Meta.Name(binding);
        if (urlName.Length > 0 && bodyName != urlName)
        {
            throw StatusErrors.BadRequest("name in URL does not match name in Binding object");
        }

        if (Meta.Namespace(binding) is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            throw StatusErrors.BadRequest("namespace in URL does not match namespace in Binding object");
        }

        var errors = PodBinding.Validate(binding);
        if (errors.Count > 0)
        {
            throw StatusErrors.Invalid("", "Binding", bodyName, errors);
        }

        await e.AdmitDirectAsync(ctx, e.PodsStore().Descriptor, ns, bodyName, "binding", AdmissionOperation.Create, "Binding", binding, call.User, ct).ConfigureAwait(false);
        var pods = e.PodsStore();
        if (ResourceEndpoint.QueryDryRun(ctx))
        {
            var preview = await pods.GetAsync(ns, bodyName, "", ct).ConfigureAwait(false);
            PodBinding.Apply(preview, pods.Key(ns, bodyName), binding, e.Options.Clock.GetUtcNow());
        }
        else
        {
            await pods.WriteDirectAsync(
                ns,
                bodyName,
                stored => PodBinding.TryApplyStored(stored.Value.Span, stored.Key, stored.ModRevision.ToString(CultureInfo.InvariantCulture), bodyName, binding, e.Options.Clock.GetUtcNow()),
                pod => PodBinding.Apply(pod, pods.Key(ns, bodyName), binding, e.Options.Clock.GetUtcNow()),
                ct).ConfigureAwait(false);
        }

        await Responses.WriteAsync(ctx, 201, ResourceEndpoint.SuccessStatus(), neg.Format).ConfigureAwait(false);
    }
}
