using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Patch;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's MutatingAdmissionWebhook: every MutatingWebhookConfiguration webhook that matches is called in turn
/// (configurations by name, webhooks in order); a denial ends the request with the webhook's Status, a JSONPatch
/// answer is applied to the object before the next webhook sees it, warnings become <c>Warning</c> headers. A
/// webhook that cannot be called fails the request (500) under <c>failurePolicy: Fail</c> and is skipped under
/// <c>Ignore</c>. <c>reinvocationPolicy: IfNeeded</c> webhooks are called once more, after the first pass, when a
/// later webhook changed the object. Each call is recorded in the audit annotations as upstream does
/// (<c>mutation.webhook.admission.k8s.io/round_N_index_M</c>, the patch at Request level, failing open), and the
/// webhook's own auditAnnotations as <c>&lt;webhook&gt;/&lt;key&gt;</c>.
/// </summary>
public sealed class MutatingAdmissionWebhook(WebhookConfigurationCache cache, WebhookDispatcher dispatcher) : IMutatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "MutatingAdmissionWebhook";

    /// <inheritdoc/>
    /// <remarks>
    /// False while no webhook configuration exists (the loaded snapshot is empty), so the chain skips this plugin and a request no
    /// other plugin looks at (a delete, a connect) builds no attributes; true until the first snapshot is loaded.
    /// </remarks>
    public bool Handles(AdmissionOperation operation) => ConfigurationCache.MayMatch(cache.GetAsync(CancellationToken.None));

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        var hooks = await ConfigurationCache.ForRequestAsync(cache.GetAsync, attributes, ct).ConfigureAwait(false);
        if (hooks.Count == 0)
        {
            return;
        }

        var calledIfNeeded = new List<AdmissionWebhook>();
        var reinvoke = new HashSet<AdmissionWebhook>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < hooks.Count; i++)
        {
            var hook = hooks[i];
            var (called, changed) = await RunAsync(hook, new Annotator(attributes, 0, i, hook), ct).ConfigureAwait(false);
            if (changed)
            {
                reinvoke.UnionWith(calledIfNeeded.Where(h => !ReferenceEquals(h, hook)));
            }

            if (called && hook.ReinvokeIfNeeded)
            {
                calledIfNeeded.Add(hook);
            }
        }

        for (var i = 0; i < hooks.Count; i++)
        {
            if (reinvoke.Contains(hooks[i]))
            {
                await RunAsync(hooks[i], new Annotator(attributes, 1, i, hooks[i]), ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<(bool Called, bool Changed)> RunAsync(AdmissionWebhook hook, Annotator annotator, CancellationToken ct)
    {
        var a = annotator.Attributes;
        if (await dispatcher.MatchAsync(hook, a, ct).ConfigureAwait(false) is not { } invocation)
        {
            return (false, false);
        }

        try
        {
            return await CallAsync(invocation, annotator, ct).ConfigureAwait(false) is { } changed ? (true, changed) : (false, false);
        }
        catch (WebhookCallException e)
        {
            if (!e.ConditionsNotMet)
            {
                annotator.Mutation(false);
            }

            if (!hook.IgnoreFailures)
            {
                throw WebhookDispatcher.CallFailed(hook, e);
            }

            annotator.FailedOpen();
            return (false, false);
        }
    }

    /// <summary>Calls the webhook and applies its patch: null when its matchConditions do not hold, else whether the object changed.</summary>
    private async ValueTask<bool?> CallAsync(WebhookInvocation invocation, Annotator annotator, CancellationToken ct)
    {
        var result = await dispatcher.CallAsync(invocation, annotator.Attributes, ct).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        var changed = false;
        try
        {
            changed = Apply(invocation, result, annotator);
            return changed;
        }
        finally
        {
            annotator.Mutation(changed);
        }
    }

    private static bool Apply(WebhookInvocation invocation, AdmissionReviewResult result, Annotator annotator)
    {
        var hook = invocation.Webhook;
        var a = annotator.Attributes;
        WebhookDispatcher.Annotate(hook, result, a);
        foreach (var w in result.Warnings)
        {
            a.AddWarning(w);
        }

        if (!result.Allowed)
        {
            throw WebhookDispatcher.Denied(hook, result.Result);
        }

        if (result.Patch is not { Count: > 0 } patch || a.Object is not { } obj)
        {
            return false;
        }

        var versioned = (JsonObject)AdmissionReviews.Versioned(obj, invocation)!;
        JsonObject patched;
        try
        {
            patched = JsonPatch.Apply(versioned, patch) as JsonObject ?? throw StatusErrors.InternalError("the patched object is not a JSON object");
        }
        catch (PatchException e)
        {
            throw StatusErrors.InternalError(e.Message);
        }

        if (obj["apiVersion"] is { } apiVersion)
        {
            patched["apiVersion"] = apiVersion.DeepClone();
        }

        annotator.Patch(patch);
        if (JsonNode.DeepEquals(patched, obj))
        {
            return false;
        }

        // The store holds this object: change it in place.
        var entries = patched.ToList();
        patched.Clear();
        obj.Clear();
        foreach (var (key, value) in entries)
        {
            obj[key] = value;
        }

        return true;
    }

    /// <summary>
    /// Upstream's <c>webhookAnnotator</c>: the audit annotations of one call of one webhook, keyed
    /// <c>round_{round}_index_{index}</c> (round 1 is the reinvocation; index is the webhook's place in call order):
    /// whether it mutated the object (Metadata level), the JSON patch it returned (Request level only, as the patch
    /// may carry the object's content), and that it failed open.
    /// </summary>
    private sealed class Annotator(AdmissionAttributes attributes, int round, int index, AdmissionWebhook hook)
    {
        public const string MutationPrefix = "mutation.webhook.admission.k8s.io/";
        public const string PatchPrefix = "patch.webhook.admission.k8s.io/";
        public const string FailedOpenPrefix = "failed-open." + MutationPrefix;

        public AdmissionAttributes Attributes { get; } = attributes;

        private string Suffix => $"round_{round}_index_{index}";

        public void Mutation(bool mutated) => Attributes.AddAnnotation(MutationPrefix + Suffix,
            new JsonObject { ["configuration"] = hook.Configuration, ["webhook"] = hook.Name, ["mutated"] = mutated }.ToJsonString());

        public void Patch(JsonArray patch) => Attributes.AddAnnotation(PatchPrefix + Suffix,
            new JsonObject { ["configuration"] = hook.Configuration, ["webhook"] = hook.Name, ["patch"] = patch.DeepClone(), ["patchType"] = "JSONPatch" }.ToJsonString(),
            Audit.AuditLevel.Request);

        public void FailedOpen() => Attributes.AddAnnotation(FailedOpenPrefix + Suffix, hook.Name);
    }
}
