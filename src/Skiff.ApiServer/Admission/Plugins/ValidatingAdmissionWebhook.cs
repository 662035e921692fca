using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's ValidatingAdmissionWebhook: every ValidatingWebhookConfiguration webhook that matches is called, all
/// in parallel; the request fails with the first failure in webhook order — a denial with the webhook's Status
/// (<c>admission webhook "x" denied the request: …</c>), or under <c>failurePolicy: Fail</c> a webhook that could
/// not be called (500). Warnings become <c>Warning</c> headers, audit annotations <c>&lt;webhook&gt;/&lt;key&gt;</c>.
/// </summary>
public sealed class ValidatingAdmissionWebhook(WebhookConfigurationCache cache, WebhookDispatcher dispatcher) : IValidatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "ValidatingAdmissionWebhook";

    /// <inheritdoc/>
    /// <remarks>
    /// False while no webhook configuration exists (the loaded snapshot is empty), so the chain skips this plugin and a request no
    /// other plugin looks at (a delete, a connect) builds no attributes; true until the first snapshot is loaded.
    /// </remarks>
    public bool Handles(AdmissionOperation operation) => ConfigurationCache.MayMatch(cache.GetAsync(CancellationToken.None));

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        var hooks = await ConfigurationCache.ForRequestAsync(cache.GetAsync, attributes, ct).ConfigureAwait(false);
        if (hooks.Count == 0)
        {
            return;
        }

        var calls = new List<Task<Exception?>>();
        for (var i = 0; i < hooks.Count; i++)
        {
            if (await dispatcher.MatchAsync(hooks[i], attributes, ct).ConfigureAwait(false) is { } invocation)
            {
                calls.Add(CallAsync(invocation, attributes, i, ct));
            }
        }

        var outcomes = await Task.WhenAll(calls).ConfigureAwait(false);
        if (outcomes.FirstOrDefault(e => e is not null) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The audit annotation key prefix of a webhook that failed open (upstream's <c>ValidatingAuditAnnotationFailedOpenKeyPrefix</c>).</summary>
    public const string FailedOpenPrefix = "failed-open.validating.webhook.admission.k8s.io/";

    private async Task<Exception?> CallAsync(WebhookInvocation invocation, AdmissionAttributes a, int index, CancellationToken ct)
    {
        var hook = invocation.Webhook;
        try
        {
            if (await dispatcher.CallAsync(invocation, a, ct).ConfigureAwait(false) is not { } result)
            {
                return null;
            }

            WebhookDispatcher.Annotate(hook, result, a);
            foreach (var w in result.Warnings)
            {
                lock (a.Warnings)
                {
                    a.AddWarning(w);
                }
            }

            return result.Allowed ? null : WebhookDispatcher.Denied(hook, result.Result);
        }
        catch (WebhookCallException e)
        {
            if (!hook.IgnoreFailures)
            {
                return WebhookDispatcher.CallFailed(hook, e);
            }

            a.AddAnnotation($"{FailedOpenPrefix}round_0_index_{index}", hook.Name);
            return null;
        }
        catch (Skiff.Api.Errors.StatusException e)
        {
            return e;
        }
    }
}
