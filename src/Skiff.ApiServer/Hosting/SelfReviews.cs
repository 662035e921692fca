using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// SelfSubjectRulesReview (<c>kubectl auth can-i --list</c>; upstream <c>pkg/registry/authorization/selfsubjectrulesreview</c>):
/// create-only, never stored. With authorization enforced the answer is the rules RBAC grants the user in
/// spec.namespace (<see cref="Authorization.AccessReviews.RulesStatus"/>); with it off, every verb on every resource
/// and every non-resource URL, with <c>evaluationError</c> saying so. (SelfSubjectAccessReview and SelfSubjectReview are
/// answered by <c>Endpoints/ResourceEndpoint.Reviews.cs</c>.)
/// </summary>
internal static class SelfReviews
{
    /// <summary>Why every rule is granted while RBAC is not enforced.</summary>
    public const string NotEnforcedReason = "skiff: RBAC not enforced";

    private const int MaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>True when <paramref name="info"/> is a POST of a SelfSubjectRulesReview (then handle it here).</summary>
    public static bool Handles(RequestInfo info, string method) =>
        HttpMethods.IsPost(method) && info.Name.Length == 0 && info.Subresource.Length == 0 && info.Version == "v1"
        && info.Group == "authorization.k8s.io" && info.Resource == "selfsubjectrulesreviews";

    /// <summary>Decodes the review, answers it and writes 201 with the completed object.</summary>
    public static async Task HandleAsync(HttpContext ctx, Registry.ResourceDescriptor d, ApiServerOptions options, CancellationToken ct)
    {
        const string kind = "SelfSubjectRulesReview";
        var format = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false).Format;
        var review = await ReadAsync(ctx, options.ExtraDecoders, ct).ConfigureAwait(false);
        Endpoints.ResourceEndpoint.CheckTypes(options.UnknownFieldDetector, d, review);
        Endpoints.ResourceEndpoint.CheckTypeMeta(review, kind, d.GroupVersion);

        var spec = (review["spec"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        var result = new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec,
            ["status"] = Authorization.RequestAuthorization.Current is { } authz
                ? Authorization.AccessReviews.RulesStatus(authz.Rbac, authz.User, (string?)spec["namespace"] ?? "")
                : new JsonObject
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
            },
        };
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
