using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.CustomResources.Cel;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// What both webhook plugins share (upstream's <c>generic.Webhook</c> and the dispatchers' <c>callHook</c>):
/// deciding whether a webhook is called (<see cref="MatchAsync"/>: namespaceSelector, objectSelector, rules, then
/// equivalent versions under <c>matchPolicy: Equivalent</c>, then matchConditions) and calling it
/// (<see cref="CallAsync"/>: the dry-run/sideEffects check, the AdmissionReview, the timeout, the verified answer).
/// Webhook configurations and other admissionregistration objects are never sent to webhooks
/// (<see cref="ConfigurationCache.ForRequestAsync"/>).
/// </summary>
public sealed class WebhookDispatcher(WebhookClient client, AdmissionReader reader, ResourceRegistry? registry)
{
    /// <summary>The invocation of <paramref name="hook"/> for <paramref name="a"/>, or null when it does not apply.</summary>
    public async ValueTask<WebhookInvocation?> MatchAsync(AdmissionWebhook hook, AdmissionAttributes a, CancellationToken ct)
    {
        if (hook.SelectorError is { } selectorError)
        {
            throw StatusErrors.InternalError(selectorError);
        }

        if (!await NamespaceMatchesAsync(hook, a, ct).ConfigureAwait(false))
        {
            return null;
        }

        if (!hook.ObjectSelector.IsEmpty && !Labelled(hook, a.Object) && !Labelled(hook, a.OldObject))
        {
            return null;
        }

        var (kindGroup, kindVersion) = KindVersion(a.Group, a.Version, a.Resource, a.Subresource);
        if (hook.Rules.Any(r => r.Matches(a.Operation, a.Group, a.Version, a.Resource, a.Subresource, a.Namespace)))
        {
            return new WebhookInvocation(hook, a.Group, a.Version, a.Resource, a.Subresource, kindGroup, kindVersion, a.Kind);
        }

        if (hook.MatchPolicy != "Equivalent" || registry is null)
        {
            return null;
        }

        var equivalents = registry.All.Where(d => d.Group == a.Group && d.Resource == a.Resource && d.Version != a.Version).ToList();
        foreach (var rule in hook.Rules)
        {
            foreach (var d in equivalents)
            {
                if (rule.Matches(a.Operation, d.Group, d.Version, d.Resource, a.Subresource, a.Namespace))
                {
                    var (g, v) = KindVersion(d.Group, d.Version, d.Resource, a.Subresource);
                    var kind = a.Subresource.Length == 0 || a.Kind == (registry.Find(a.Group, a.Version, a.Resource)?.Kind ?? a.Kind) ? d.Kind : a.Kind;
                    return new WebhookInvocation(hook, d.Group, d.Version, d.Resource, a.Subresource, g, v, kind);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Evaluates the webhook's matchConditions (upstream's <c>matchconditions.Matcher</c>: CEL over <c>object</c>,
    /// <c>oldObject</c>, <c>request</c> and <c>authorizer</c>): true when all hold, false as soon as one is false.
    /// Expressions that do not compile or fail to evaluate are, together, a <see cref="WebhookCallException"/>
    /// (<c>failed to evaluate match conditions: …</c>; the caller applies the failurePolicy).
    /// </summary>
    public static bool ConditionsHold(WebhookInvocation invocation, JsonObject review, CelAuthorizer authorizer)
    {
        var hook = invocation.Webhook;
        if (hook.MatchConditions.Count == 0)
        {
            return true;
        }

        var request = (JsonObject)review["request"]!;
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["object"] = CelValues.ToCel(request["object"]),
            ["oldObject"] = CelValues.ToCel(request["oldObject"]),
            ["request"] = CelValues.ToCel(request),
            ["authorizer"] = authorizer,
        };
        var errors = new List<string>();
        foreach (var (_, condition) in hook.MatchConditions)
        {
            try
            {
                switch (condition.Evaluate(vars))
                {
                    case false:
                        return false;
                    case true:
                        break;
                    default:
                        errors.Add($"expression '{condition.Source}' resulted in error: no such overload");
                        break;
                }
            }
            catch (PolicyEvaluationException e)
            {
                errors.Add(e.Message);
            }
        }

        return errors.Count == 0 ? true : throw new WebhookCallException("failed to evaluate match conditions: " + AdmissionErrors.Aggregate(errors)) { ConditionsNotMet = true };
    }

    /// <summary>
    /// Calls one webhook: a dry run is refused (400) when the webhook has side effects; otherwise the review is
    /// posted with the webhook's timeout and the verified answer returned. Call failures are
    /// <see cref="WebhookCallException"/>s; a failing matchCondition too (null is returned when a condition is false).
    /// </summary>
    public async ValueTask<AdmissionReviewResult?> CallAsync(WebhookInvocation invocation, AdmissionAttributes a, CancellationToken ct)
    {
        var hook = invocation.Webhook;
        var version = AdmissionReviews.ReviewVersion(hook)
            ?? throw new WebhookCallException($"webhook does not accept known AdmissionReview versions: [{string.Join(" ", hook.ReviewVersions)}]");
        var uid = Guid.NewGuid().ToString();
        var (rg, rv) = KindVersion(a.Group, a.Version, a.Resource, a.Subresource);
        var review = AdmissionReviews.Request(uid, version, invocation, a, rg, rv);
        if (!ConditionsHold(invocation, review, CelAuthorizer.For(a)))
        {
            return null;
        }

        if (a.DryRun && hook.SideEffects is not ("None" or "NoneOnDryRun"))
        {
            throw hook.SideEffects is null
                ? new WebhookCallException("Webhook SideEffects is nil")
                : StatusErrors.BadRequest($"admission webhook \"{hook.Name}\" does not support dry run");
        }

        JsonObject answer;
        try
        {
            answer = await client.PostAsync(hook.ClientConfig, review, hook.Timeout, ct).ConfigureAwait(false);
        }
        catch (WebhookCallException e)
        {
            throw new WebhookCallException("failed to call webhook: " + e.Message, e) { TimedOut = e.TimedOut };
        }

        return AdmissionReviews.Verify(answer, uid, version, hook.Mutating);
    }

    /// <summary>
    /// Publishes a webhook's <c>auditAnnotations</c> as <c>&lt;webhook-name&gt;/&lt;key&gt;</c> (upstream's dispatchers);
    /// a key that is not a qualified name, or one already set, is dropped as upstream logs and drops it.
    /// </summary>
    public static void Annotate(AdmissionWebhook hook, AdmissionReviewResult result, AdmissionAttributes a)
    {
        foreach (var (k, v) in result.AuditAnnotations)
        {
            var key = hook.Name + "/" + k;
            if (Skiff.Api.Validation.ValueValidation.IsQualifiedName(key).Count == 0)
            {
                a.AddAnnotation(key, v);
            }
        }
    }

    /// <summary>Upstream's <c>ErrCallingWebhook</c> under failurePolicy Fail: 500 <c>Internal error occurred: failed calling webhook "x": …</c>.</summary>
    public static StatusException CallFailed(AdmissionWebhook hook, WebhookCallException e) =>
        StatusErrors.InternalError($"failed calling webhook \"{hook.Name}\": {e.Message}");

    /// <summary>
    /// Upstream's <c>webhookerrors.ToStatusErr</c>: the webhook's Status with <c>admission webhook "x" denied the
    /// request: message</c> (or its reason, or <c>without explanation</c>), a code of at least 400.
    /// </summary>
    public static StatusException Denied(AdmissionWebhook hook, JsonObject? status)
    {
        var deniedBy = $"admission webhook \"{hook.Name}\" denied the request";
        var code = (int)(JsonPath.Long(status, "code") ?? 0);
        if (code < 400)
        {
            code = 400;
        }

        var reason = JsonPath.Str(status, "reason") ?? "";
        var message = JsonPath.Str(status, "message") is { Length: > 0 } m ? $"{deniedBy}: {m}"
            : reason.Length > 0 ? $"{deniedBy}: {reason}"
            : deniedBy + " without explanation";
        return new StatusException(code, reason, message);
    }

    private async ValueTask<bool> NamespaceMatchesAsync(AdmissionWebhook hook, AdmissionAttributes a, CancellationToken ct)
    {
        var isNamespace = a.Group.Length == 0 && a.Resource == "namespaces";
        if (hook.NamespaceSelector.IsEmpty || (a.Namespace.Length == 0 && !isNamespace))
        {
            return true;
        }

        JsonObject? ns;
        if (isNamespace)
        {
            // A namespace is matched on its own labels (the old object's on delete).
            ns = a.Object ?? a.OldObject;
        }
        else
        {
            ns = await reader.GetAsync("", "namespaces", "", a.Namespace, ct).ConfigureAwait(false);
        }

        return hook.NamespaceSelector.Matches(JsonPath.Obj(ns, "metadata", "labels"));
    }

    private static bool Labelled(AdmissionWebhook hook, JsonObject? obj) =>
        obj is not null && hook.ObjectSelector.Matches(JsonPath.Obj(obj, "metadata", "labels"));

    /// <summary>The group and version of the kind sent for a resource or subresource (a Scale is autoscaling/v1).</summary>
    private (string Group, string Version) KindVersion(string group, string version, string resource, string subresource)
    {
        if (subresource.Length > 0 && registry?.Find(group, version, resource)?.Subresources.FirstOrDefault(s => s.Name == subresource) is { } sub)
        {
            return (sub.Group, sub.Version);
        }

        return (group, version);
    }
}
