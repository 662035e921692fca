using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Registry.Core;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    /// <summary>
    /// POST <c>pods/{name}/binding</c> or <c>bindings</c> (upstream <c>BindingREST</c>): assigns the pod to the target
    /// node (spec.nodeName, PodScheduled) in one storage update; 409 when it is already bound. Answers 201 Success.
    /// </summary>
    private async Task BindAsync(HttpContext ctx, ResourceDescriptor d, string ns, string urlName, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var binding = await ReadObjectAsync(ctx, BodyDescriptor(d, "binding"), ct).ConfigureAwait(false);
        CheckTypeMeta(binding, "Binding", "v1");
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

        var pods = PodsStore();
        if (QueryDryRun(ctx))
        {
            var preview = await pods.GetAsync(ns, bodyName, "", ct).ConfigureAwait(false);
            PodBinding.Apply(preview, binding, _options.Clock.GetUtcNow());
        }
        else
        {
            await pods.UpdateDirectAsync(ns, bodyName, pod => PodBinding.Apply(pod, binding, _options.Clock.GetUtcNow()), ct).ConfigureAwait(false);
        }

        await Responses.WriteAsync(ctx, 201, SuccessStatus(), neg.Format).ConfigureAwait(false);
    }

    /// <summary>
    /// POST <c>pods/{name}/eviction</c> (policy/v1 or v1beta1 Eviction): deletes the pod with the eviction's
    /// DeleteOptions. A running pod covered by a PodDisruptionBudget that allows no disruption is refused with 429;
    /// budgets are not decremented (there is no disruption controller to recompute them).
    /// </summary>
    private async Task EvictAsync(HttpContext ctx, ResourceDescriptor d, string ns, string name, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var eviction = await ReadObjectAsync(ctx, BodyDescriptor(d, "eviction"), ct).ConfigureAwait(false);
        CheckTypeMeta(eviction, "Eviction", "policy/v1", "policy/v1beta1");
        if (Meta.Name(eviction) != name)
        {
            throw StatusErrors.BadRequest("name in URL does not match name in Eviction object");
        }

        var options = ParseDeleteOptions(ctx, eviction["deleteOptions"] as JsonObject);
        var pods = PodsStore();
        var pod = await pods.GetAsync(ns, name, "", ct).ConfigureAwait(false);
        if (pod["status"]?["phase"]?.GetValue<string>() == "Running" && Meta.Str(pod, "deletionTimestamp") is null)
        {
            await CheckDisruptionBudgetsAsync(ns, pod, ct).ConfigureAwait(false);
        }

        await pods.DeleteAsync(ns, name, options, ct).ConfigureAwait(false);
        await Responses.WriteAsync(ctx, 201, SuccessStatus(), neg.Format).ConfigureAwait(false);
    }

    private async Task CheckDisruptionBudgetsAsync(string ns, JsonObject pod, CancellationToken ct)
    {
        if (_registry.Find("policy", "v1", "poddisruptionbudgets") is not { } pdbs)
        {
            return;
        }

        var labels = pod["metadata"]?["labels"] as JsonObject;
        var page = await StoreFor(pdbs).ListAsync(ns, new ListQuery { Labels = LabelSelector.Everything, Fields = FieldSelector.Everything }, ct).ConfigureAwait(false);
        var matching = page.Items.Where(b => SelectorMatches(b["spec"]?["selector"] as JsonObject, labels)).ToList();
        if (matching.Count == 0)
        {
            return;
        }

        if (matching.Count > 1)
        {
            throw StatusErrors.InternalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }

        var pdb = matching[0];
        var observed = pdb["status"]?["observedGeneration"]?.GetValue<long>() ?? 0;
        var allowed = pdb["status"]?["disruptionsAllowed"]?.GetValue<long>() ?? 0;
        var pdbName = Meta.Name(pdb);
        if (observed < Meta.Generation(pdb))
        {
            throw DisruptionRefused(pdbName, $"Cannot evict pod as it would violate the pod's disruption budget. The disruption budget {pdbName} is still being processed by the server.");
        }

        if (allowed <= 0)
        {
            var needs = pdb["status"]?["desiredHealthy"]?.GetValue<long>() ?? 0;
            throw DisruptionRefused(pdbName, $"The disruption budget {pdbName} needs {needs} healthy pods and has {pdb["status"]?["currentHealthy"]?.GetValue<long>() ?? 0} currently");
        }
    }

    private static StatusException DisruptionRefused(string pdbName, string cause) =>
        new(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
            new StatusDetails(Causes: [new StatusCause("DisruptionBudget", cause)]));

    private static bool SelectorMatches(JsonObject? selector, JsonObject? labels)
    {
        try
        {
            return LabelSelector.FromJson(selector).Matches(labels);
        }
        catch (SelectorParseException)
        {
            return false;
        }
    }

    private GenericStore PodsStore() =>
        StoreFor(_registry.Find("", "v1", "pods") ?? throw StatusErrors.InternalError("pods are not served"));

    private static bool QueryDryRun(HttpContext ctx) => ctx.Request.Query["dryRun"].Contains("All");

    private static JsonObject SuccessStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
    };
}
