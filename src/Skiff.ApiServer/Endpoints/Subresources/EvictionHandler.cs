using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// POST <c>pods/{name}/eviction</c>, admitted as a <c>create</c> of <c>pods/eviction</c> (policy/v1 or v1beta1 Eviction, upstream's <c>EvictionREST</c>): deletes the pod
/// with the eviction's DeleteOptions. A pod that is terminal, pending or already terminating is deleted directly.
/// Otherwise the one PodDisruptionBudget selecting it (more than one: 500) must allow a disruption: in one storage
/// update (retried on conflict) its <c>disruptionsAllowed</c> is decremented and the pod recorded in
/// <c>disruptedPods</c>; a budget allowing none answers 429 with the DisruptionBudget cause. A pod that is not ready
/// is evicted without touching the budget when the budget's unhealthyPodEvictionPolicy is AlwaysAllow, or when the
/// budget is healthy (currentHealthy at least desiredHealthy, which is positive).
/// </summary>
internal sealed class EvictionHandler : ISubresourceHandler
{
    private EvictionHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static EvictionHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["create"];

        /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var (ctx, e, ns, name) = (call.Http, call.Endpoint, call.Namespace, call.Name);
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var eviction = await e.ReadSubresourceBodyAsync(call, ct).ConfigureAwait(false);
        ResourceEndpoint.CheckTypeMeta(eviction, "Eviction", "policy/v1", "policy/v1beta1");
        if (Meta.Name(eviction) != name)
        {
            throw StatusErrors.BadRequest("name in URL does not match name in Eviction object");
        }

        await e.AdmitAsync(call, AdmissionOperation.Create, "Eviction", eviction, ct).ConfigureAwait(false);
        var options = ResourceEndpoint.DeleteOptionsOf(ctx, eviction["deleteOptions"] as JsonObject);
        var pods = e.PodsStore();
        var pod = await pods.GetAsync(ns, name, "", ct).ConfigureAwait(false);
        var phase = pod["status"]?["phase"]?.GetValue<string>();
        if (phase is not ("Succeeded" or "Failed" or "Pending") && Meta.Str(pod, "deletionTimestamp") is null)
        {
            await CheckDisruptionBudgetsAsync(e, ns, pod, ResourceEndpoint.QueryDryRun(ctx), ct).ConfigureAwait(false);
        }

        await pods.DeleteAsync(ns, name, options, ct).ConfigureAwait(false);
        await Responses.WriteAsync(ctx, 201, ResourceEndpoint.SuccessStatus(), neg.Format).ConfigureAwait(false);
    }

    private static async Task CheckDisruptionBudgetsAsync(ResourceEndpoint e, string ns, JsonObject pod, bool dryRun, CancellationToken ct)
    {
        if (e.Registry.Find("policy", "v1", "poddisruptionbudgets") is not { } pdbs)
        {
            return;
        }

        var labels = pod["metadata"]?["labels"] as JsonObject;
        var store = e.StoreFor(pdbs);
        var page = await store.ListAsync(ns, new ListQuery { Labels = LabelSelector.Everything, Fields = FieldSelector.Everything }, ct).ConfigureAwait(false);
        var matching = page.Items.Where(b => SelectorMatches(b["spec"]?["selector"] as JsonObject, labels)).ToList();
        if (matching.Count == 0)
        {
            return;
        }

        if (matching.Count > 1)
        {
            throw StatusErrors.InternalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }

        var podReady = (pod["status"]?["conditions"] as JsonArray)?.Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") == true;
        var pdbName = Meta.Name(matching[0]);
        if (!podReady && matching[0]["spec"]?["unhealthyPodEvictionPolicy"]?.GetValue<string>() == "AlwaysAllow")
        {
            return;
        }

        try
        {
            await store.UpdateDirectAsync(ns, pdbName, pdb => DecrementBudget(pdb, Meta.Name(pod), podReady, dryRun, e.Options.Clock), ct).ConfigureAwait(false);
        }
        catch (BudgetUnchangedException)
        {
            // Nothing to write: the pod may go without spending the budget (or this is a dry run).
        }
    }

    /// <summary>Upstream's <c>checkAndDecrement</c> on the stored budget; throws <see cref="BudgetUnchangedException"/> to write nothing.</summary>
    private static void DecrementBudget(JsonObject pdb, string podName, bool podReady, bool dryRun, TimeProvider clock)
    {
        var status = pdb["status"] as JsonObject ?? new JsonObject();
        long Num(string key) => status[key]?.GetValue<long>() ?? 0;
        var pdbName = Meta.Name(pdb);
        if (!podReady && Num("currentHealthy") >= Num("desiredHealthy") && Num("desiredHealthy") > 0)
        {
            throw new BudgetUnchangedException();
        }

        if (Num("observedGeneration") < Meta.Generation(pdb))
        {
            throw DisruptionRefused($"The disruption budget {pdbName} is still being processed by the server.", 10);
        }

        var allowed = Num("disruptionsAllowed");
        if (allowed < 0)
        {
            throw StatusErrors.Forbidden("policy", "poddisruptionbudget", pdbName, "pdb disruptions allowed is negative");
        }

        var disrupted = status["disruptedPods"] as JsonObject;
        if (disrupted?.Count > 2000)
        {
            throw StatusErrors.Forbidden("policy", "poddisruptionbudget", pdbName, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        }

        if (allowed == 0)
        {
            throw DisruptionRefused($"The disruption budget {pdbName} needs {Num("desiredHealthy")} healthy pods and has {Num("currentHealthy")} currently", null);
        }

        if (dryRun)
        {
            throw new BudgetUnchangedException();
        }

        pdb["status"] = status;
        status["disruptionsAllowed"] = allowed - 1;
        var now = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (allowed - 1 == 0 && status["conditions"] is JsonArray conditions &&
            conditions.FirstOrDefault(c => c?["type"]?.GetValue<string>() == "DisruptionAllowed") is JsonObject condition &&
            condition["status"]?.GetValue<string>() != "False")
        {
            condition["status"] = "False";
            condition["reason"] = "InsufficientPods";
            condition["message"] = "";
            condition["lastTransitionTime"] = now;
        }

        disrupted ??= new JsonObject();
        status["disruptedPods"] = disrupted;
        disrupted[podName] = now;
    }

    private static StatusException DisruptionRefused(string cause, int? retryAfterSeconds) =>
        new(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
            new StatusDetails(Causes: [new StatusCause("DisruptionBudget", cause)], RetryAfterSeconds: retryAfterSeconds));

    /// <summary>Aborts the budget's storage update: the eviction proceeds without changing it.</summary>
    private sealed class BudgetUnchangedException : Exception;

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
}
