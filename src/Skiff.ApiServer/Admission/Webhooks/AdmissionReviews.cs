using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// Upstream's <c>webhook/request</c> package: builds the AdmissionReview sent to a webhook (v1 or v1beta1, the first
/// version the webhook accepts) and verifies its answer (<c>VerifyAdmissionResponse</c>, with upstream's texts).
/// </summary>
public static class AdmissionReviews
{
    /// <summary>The review version to send: the first of the webhook's versions the server speaks.</summary>
    public static string? ReviewVersion(AdmissionWebhook hook) => hook.ReviewVersions.FirstOrDefault(v => v is "v1" or "v1beta1");

    /// <summary>The AdmissionReview of <paramref name="attributes"/> for <paramref name="invocation"/>, with request uid <paramref name="uid"/>.</summary>
    public static JsonObject Request(string uid, string reviewVersion, WebhookInvocation invocation, AdmissionAttributes attributes,
        string requestKindGroup, string requestKindVersion)
    {
        var request = RequestBody(uid, attributes,
            (invocation.KindGroup, invocation.KindVersion, invocation.Kind),
            (invocation.Group, invocation.Version, invocation.Resource, invocation.Subresource),
            (requestKindGroup, requestKindVersion),
            invocation);
        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/" + reviewVersion,
            ["request"] = request,
        };
    }

    /// <summary>
    /// Upstream's <c>admission/v1.AdmissionRequest</c> of <paramref name="a"/>, the one builder for both the webhook
    /// review and the admission-policy <c>request</c> variable: uid, kind and resource as the receiver sees them,
    /// the request's own kind and resource, name and namespace, operation, userInfo, dryRun and options (the
    /// request's CreateOptions/UpdateOptions/DeleteOptions, or the empty ones upstream sends). With an
    /// <paramref name="invocation"/> (a webhook) the objects are included, in its version, and an empty name or
    /// namespace is left out (Go's <c>omitempty</c>); without (a policy) there are no objects and both are always
    /// present so that <c>request.name</c> reads <c>""</c>.
    /// </summary>
    public static JsonObject RequestBody(string uid, AdmissionAttributes a, (string Group, string Version, string Kind) kind,
        (string Group, string Version, string Resource, string Subresource) resource, (string Group, string Version) requestKind,
        WebhookInvocation? invocation)
    {
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = Gvk(kind.Group, kind.Version, kind.Kind),
            ["resource"] = Gvr(resource.Group, resource.Version, resource.Resource),
        };
        if (resource.Subresource.Length > 0)
        {
            request["subResource"] = resource.Subresource;
        }

        request["requestKind"] = Gvk(requestKind.Group, requestKind.Version, a.Kind);
        request["requestResource"] = Gvr(a.Group, a.Version, a.Resource);
        if (a.Subresource.Length > 0)
        {
            request["requestSubResource"] = a.Subresource;
        }

        if (a.Name.Length > 0 || invocation is null)
        {
            request["name"] = a.Name;
        }

        if (a.Namespace.Length > 0 || invocation is null)
        {
            request["namespace"] = a.Namespace;
        }

        request["operation"] = WebhookRule.OperationName(a.Operation);
        request["userInfo"] = a.User?.ToJson() ?? [];
        if (invocation is not null)
        {
            request["object"] = Versioned(a.Object, invocation);
            request["oldObject"] = Versioned(a.OldObject, invocation);
        }

        request["dryRun"] = a.DryRun;
        request["options"] = a.Options?.DeepClone() ?? DefaultOptions(a.Operation);
        return request;
    }

    /// <summary>
    /// Verifies a webhook's answer: a response with the request's uid, of the kind sent (v1 strictly), with a
    /// patch only from a mutating webhook and only as JSONPatch. Throws <see cref="WebhookCallException"/> with
    /// upstream's text otherwise.
    /// </summary>
    public static AdmissionReviewResult Verify(JsonObject review, string uid, string reviewVersion, bool mutating)
    {
        var response = JsonPath.Obj(review, "response") ?? throw new WebhookCallException("received invalid webhook response: webhook response was absent");
        var gotUid = JsonPath.Str(response, "uid") ?? "";
        if (gotUid != uid)
        {
            throw new WebhookCallException($"received invalid webhook response: expected response.uid=\"{uid}\", got \"{gotUid}\"");
        }

        if (reviewVersion == "v1")
        {
            var apiVersion = JsonPath.Str(review, "apiVersion") ?? "";
            var kind = JsonPath.Str(review, "kind") ?? "";
            if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
            {
                var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
                var got = slash < 0 ? $"/{apiVersion}, Kind={kind}" : $"{apiVersion}, Kind={kind}";
                throw new WebhookCallException($"received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {got}");
            }
        }

        JsonArray? patch = null;
        if (JsonPath.Str(response, "patch") is { Length: > 0 } encoded)
        {
            var patchType = JsonPath.Str(response, "patchType") ?? "";
            if (patchType.Length == 0)
            {
                throw new WebhookCallException("received invalid webhook response: webhook returned response.patch but not response.patchType");
            }

            if (!mutating)
            {
                throw new WebhookCallException("received invalid webhook response: validating webhook may not return response.patch");
            }

            if (patchType != "JSONPatch")
            {
                throw new WebhookCallException($"unsupported patch type \"{patchType}\"");
            }

            try
            {
                patch = JsonPatch.Decode(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            }
            catch (Exception e) when (e is FormatException or JsonException or PatchException)
            {
                throw new WebhookCallException("received invalid webhook response: " + e.Message, e);
            }
        }

        var warnings = JsonPath.Arr(response, "warnings")?.Select(JsonPath.AsString).OfType<string>().ToList() ?? [];
        var annotations = JsonPath.Obj(response, "auditAnnotations")?
            .Where(p => JsonPath.AsString(p.Value) is not null)
            .Select(p => new KeyValuePair<string, string>(p.Key, JsonPath.AsString(p.Value)!))
            .ToList() ?? [];
        return new AdmissionReviewResult(JsonPath.Bool(response, "allowed") == true, JsonPath.Obj(response, "status"), patch, warnings)
        {
            AuditAnnotations = annotations,
        };
    }

    /// <summary>The object as the webhook sees it: a copy, in the invocation's version when that differs.</summary>
    public static JsonNode? Versioned(JsonObject? obj, WebhookInvocation invocation)
    {
        if (obj is null)
        {
            return null;
        }

        var copy = (JsonObject)obj.DeepClone();
        if (copy["apiVersion"] is not null)
        {
            copy["apiVersion"] = invocation.KindGroup.Length == 0 ? invocation.KindVersion : $"{invocation.KindGroup}/{invocation.KindVersion}";
        }

        return copy;
    }

    private static JsonObject Gvk(string group, string version, string kind) => new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonObject Gvr(string group, string version, string resource) => new() { ["group"] = group, ["version"] = version, ["resource"] = resource };

    private static JsonObject? DefaultOptions(AdmissionOperation operation) => operation switch
    {
        AdmissionOperation.Create => new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        AdmissionOperation.Update => new JsonObject { ["kind"] = "UpdateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        AdmissionOperation.Delete => new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        _ => null,
    };
}
