using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// The create-only, never-stored review kinds that ask about the caller (upstream's <c>pkg/registry/authorization</c>
/// and <c>pkg/registry/authentication/selfsubjectreview</c>): SelfSubjectAccessReview and SelfSubjectRulesReview
/// (<c>kubectl auth can-i</c>) and SelfSubjectReview (<c>kubectl auth whoami</c>). Skiff does not enforce RBAC yet, so
/// every access review is allowed and says so in <c>status.reason</c>, and the rules review lists every verb on
/// every resource.
/// </summary>
internal static class SelfReviews
{
    /// <summary>The reason every access review carries while RBAC is not enforced.</summary>
    public const string NotEnforcedReason = "skiff: RBAC not enforced";

    private const int MaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>True when <paramref name="info"/> is a POST of one of the review kinds (then handle it here).</summary>
    public static bool Handles(RequestInfo info, string method) =>
        HttpMethods.IsPost(method) && info.Name.Length == 0 && info.Subresource.Length == 0 && info.Version == "v1"
        && (info.Group, info.Resource) is ("authorization.k8s.io", "selfsubjectaccessreviews" or "selfsubjectrulesreviews")
            or ("authentication.k8s.io", "selfsubjectreviews");

    /// <summary>Decodes the review, answers it for <paramref name="user"/> and writes 201 with the completed object.</summary>
    public static async Task HandleAsync(HttpContext ctx, RequestInfo info, UserInfo user, IEnumerable<IContentDecoder> extraDecoders, CancellationToken ct)
    {
        var (kind, apiVersion) = info.Resource switch
        {
            "selfsubjectaccessreviews" => ("SelfSubjectAccessReview", "authorization.k8s.io/v1"),
            "selfsubjectrulesreviews" => ("SelfSubjectRulesReview", "authorization.k8s.io/v1"),
            _ => ("SelfSubjectReview", "authentication.k8s.io/v1"),
        };
        var format = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false).Format;
        var review = await ReadAsync(ctx, extraDecoders, ct).ConfigureAwait(false);
        var sentKind = review["kind"] is JsonValue k && k.TryGetValue<string>(out var ks) ? ks : "";
        if (sentKind.Length > 0 && sentKind != kind)
        {
            throw StatusErrors.BadRequest($"the kind in the data ({sentKind}) does not match the expected kind ({kind})");
        }

        var result = new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = apiVersion,
            ["metadata"] = (review["metadata"] as JsonObject)?.DeepClone() ?? new JsonObject(),
        };
        if (result["metadata"] is JsonObject meta && !meta.ContainsKey("creationTimestamp"))
        {
            meta["creationTimestamp"] = null;
        }

        switch (kind)
        {
            case "SelfSubjectAccessReview":
                var spec = review["spec"] as JsonObject ?? new JsonObject();
                var hasResource = spec["resourceAttributes"] is JsonObject;
                var hasNonResource = spec["nonResourceAttributes"] is JsonObject;
                if (hasResource == hasNonResource)
                {
                    var detail = hasResource ? "cannot be specified in combination with resourceAttributes" : "exactly one of nonResourceAttributes or resourceAttributes must be specified";
                    throw StatusErrors.Invalid("authorization.k8s.io", kind, "",
                        [FieldError.Invalid("spec.nonResourceAttributes", hasResource ? "{...}" : "null", detail)]);
                }

                result["spec"] = spec.DeepClone();
                result["status"] = new JsonObject { ["allowed"] = true, ["reason"] = NotEnforcedReason };
                break;
            case "SelfSubjectRulesReview":
                result["spec"] = (review["spec"] as JsonObject)?.DeepClone() ?? new JsonObject();
                result["status"] = new JsonObject
                {
                    ["resourceRules"] = new JsonArray(new JsonObject
                    {
                        ["verbs"] = new JsonArray("*"),
                        ["apiGroups"] = new JsonArray("*"),
                        ["resources"] = new JsonArray("*"),
                    }),
                    ["nonResourceRules"] = new JsonArray(new JsonObject
                    {
                        ["verbs"] = new JsonArray("*"),
                        ["nonResourceURLs"] = new JsonArray("*"),
                    }),
                    ["incomplete"] = false,
                    ["evaluationError"] = NotEnforcedReason,
                };
                break;
            default:
                var userInfo = new JsonObject { ["username"] = user.Name };
                if (user.Uid is { Length: > 0 } uid)
                {
                    userInfo["uid"] = uid;
                }

                var groups = user.Groups.ToList();
                if (!groups.Contains(UserInfo.AuthenticatedGroup))
                {
                    groups.Add(UserInfo.AuthenticatedGroup);
                }

                userInfo["groups"] = new JsonArray(groups.Select(g => (JsonNode)g).ToArray());
                result["status"] = new JsonObject { ["userInfo"] = userInfo };
                break;
        }

        await Responses.WriteAsync(ctx, 201, result, format).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ReadAsync(HttpContext ctx, IEnumerable<IContentDecoder> extraDecoders, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[16384];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > MaxBodyBytes)
            {
                throw StatusErrors.RequestEntityTooLarge($"limit is {MaxBodyBytes}");
            }

            ms.Write(buffer, 0, n);
        }

        var essence = MediaType.Parse(ctx.Request.ContentType ?? "application/json")?.Essence ?? "";
        var decoders = new IContentDecoder[] { JsonContentDecoder.Instance, YamlContentDecoder.Instance, ProtobufContentDecoder.Instance }.Concat(extraDecoders);
        var decoder = decoders.FirstOrDefault(d => d.MediaTypes.Contains(essence))
            ?? throw Negotiation.UnsupportedMediaType("application/json, application/yaml, application/vnd.kubernetes.protobuf");
        return decoder.Decode(ms.ToArray()) as JsonObject ?? throw StatusErrors.BadRequest("the body of the request is not an object");
    }
}
