using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// SelfSubjectRulesReview (<c>kubectl auth can-i --list</c>; upstream <c>pkg/registry/authorization/selfsubjectrulesreview</c>).
/// With authorization enforced the answer is the rules RBAC grants the user in spec.namespace
/// (<see cref="AccessReviews.RulesStatus"/>); with it off, every verb on every resource and every non-resource URL,
/// with <c>evaluationError</c> saying so (<see cref="NotEnforcedReason"/>).
/// </summary>
internal sealed class SelfSubjectRulesReviewHandler : ReviewHandler
{
    /// <summary>Why every rule is granted while RBAC is not enforced.</summary>
    public const string NotEnforcedReason = "skiff: RBAC not enforced";

    private SelfSubjectRulesReviewHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static SelfSubjectRulesReviewHandler Instance { get; } = new();

    /// <inheritdoc />
    protected override Task CompleteAsync(SubresourceCall call, JsonObject review, JsonObject result, CancellationToken ct)
    {
        var spec = (review["spec"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        result["spec"] = spec;
        result["status"] = RequestAuthorization.Current is { } authz
            ? AccessReviews.RulesStatus(authz.Rbac, authz.User, (string?)spec["namespace"] ?? "")
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
            };
        return Task.CompletedTask;
    }
}
