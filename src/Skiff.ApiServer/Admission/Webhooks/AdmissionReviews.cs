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
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = Gvk(invocation.KindGroup, invocation.KindVersion, invocation.Kind),
            ["resource"] = Gvr(invocation.Group, invocation.Version, invocation.Resource),
        };
        if (invocation.Subresource.Length > 0)
        {
            request["subResource"] = invocation.Subresource;
        }

        request["requestKind"] = Gvk(requestKindGroup, requestKindVersion, attributes.Kind);
        request["requestResource"] = Gvr(attributes.Group, attributes.Version, attributes.Resource);
        if (attributes.Subresource.Length > 0)
        {
            request["requestSubResource"] = attributes.Subresource;
        }

        if (attributes.Name.Length > 0)
        {
            request["name"] = attributes.Name;
        }

        if (attributes.Namespace.Length > 0)
        {
            request["namespace"] = attributes.Namespace;
        }

        request["operation"] = WebhookRule.OperationName(attributes.Operation);
        request["userInfo"] = UserInfo(attributes.User);
        request["object"] = Versioned(attributes.Object, invocation);
        request["oldObject"] = Versioned(attributes.OldObject, invocation);
        request["dryRun"] = attributes.DryRun;
        request["options"] = attributes.Options?.DeepClone() ?? DefaultOptions(attributes.Operation);
        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/" + reviewVersion,
            ["request"] = request,
        };
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
        return new AdmissionReviewResult(JsonPath.Bool(response, "allowed") == true, JsonPath.Obj(response, "status"), patch, warnings);
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

    private static JsonObject UserInfo(Security.UserInfo? user) => user?.ToJson() ?? [];

    private static JsonObject? DefaultOptions(AdmissionOperation operation) => operation switch
    {
        AdmissionOperation.Create => new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        AdmissionOperation.Update => new JsonObject { ["kind"] = "UpdateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        AdmissionOperation.Delete => new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        _ => null,
    };
}
