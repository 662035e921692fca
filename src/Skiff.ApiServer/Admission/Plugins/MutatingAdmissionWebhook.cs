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
/// later webhook changed the object.
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
    public bool Handles(AdmissionOperation operation)
    {
        var current = cache.GetAsync(CancellationToken.None);
        return !current.IsCompletedSuccessfully || current.Result.Count > 0;
    }

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        if (!WebhookDispatcher.Applies(attributes))
        {
            return;
        }

        var hooks = await cache.GetAsync(ct).ConfigureAwait(false);
        if (hooks.Count == 0)
        {
            return;
        }

        var calledIfNeeded = new List<AdmissionWebhook>();
        var reinvoke = new HashSet<AdmissionWebhook>(ReferenceEqualityComparer.Instance);
        foreach (var hook in hooks)
        {
            var (called, changed) = await RunAsync(hook, attributes, ct).ConfigureAwait(false);
            if (changed)
            {
                reinvoke.UnionWith(calledIfNeeded.Where(h => !ReferenceEquals(h, hook)));
            }

            if (called && hook.ReinvokeIfNeeded)
            {
                calledIfNeeded.Add(hook);
            }
        }

        foreach (var hook in hooks.Where(reinvoke.Contains))
        {
            await RunAsync(hook, attributes, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask<(bool Called, bool Changed)> RunAsync(AdmissionWebhook hook, AdmissionAttributes a, CancellationToken ct)
    {
        if (await dispatcher.MatchAsync(hook, a, ct).ConfigureAwait(false) is not { } invocation)
        {
            return (false, false);
        }

        AdmissionReviewResult? result;
        try
        {
            result = await dispatcher.CallAsync(invocation, a, ct).ConfigureAwait(false);
        }
        catch (WebhookCallException e)
        {
            return hook.IgnoreFailures ? (false, false) : throw WebhookDispatcher.CallFailed(hook, e);
        }

        if (result is null)
        {
            return (false, false);
        }

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
            return (true, false);
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

        if (JsonNode.DeepEquals(patched, obj))
        {
            return (true, false);
        }

        // The store holds this object: change it in place.
        var entries = patched.ToList();
        patched.Clear();
        obj.Clear();
        foreach (var (key, value) in entries)
        {
            obj[key] = value;
        }

        return (true, true);
    }
}
