using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// TokenReview (upstream <c>pkg/registry/authentication/tokenreview</c>): spec.token is required (422); the token is
/// authenticated by <see cref="ResourceEndpoint.TokenReviewer"/> (the token file, then service-account JWTs) and the
/// status says whether it authenticates, as whom (with <c>system:authenticated</c>), the API audiences, or the error.
/// </summary>
internal sealed class TokenReviewHandler : ReviewHandler
{
    private TokenReviewHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static TokenReviewHandler Instance { get; } = new();

    /// <summary>A user as the reviews' <c>userInfo</c>/<c>user</c>: username, uid, groups (always), extra (sorted; empty fields omitted).</summary>
    internal static JsonObject UserInfoJson(UserInfo user) => user.ToJson(UserInfoJsonOptions.AlwaysGroups | UserInfoJsonOptions.SortedExtra);

    /// <inheritdoc />
    protected override async Task CompleteAsync(SubresourceCall call, JsonObject review, JsonObject result, CancellationToken ct)
    {
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        var token = (string?)spec["token"] ?? "";
        if (token.Length == 0)
        {
            throw StatusErrors.Invalid("authentication.k8s.io", "TokenReview", "", [FieldError.Required("spec.token", "")]);
        }

        result["spec"] = spec.DeepClone();
        var reviewer = call.Endpoint.TokenReviewer;
        var outcome = reviewer is null ? TokenValidation.NotHandled : await reviewer(token, ct).ConfigureAwait(false);
        if (outcome.User is { } user)
        {
            user = user with { Groups = [.. user.Groups, UserInfo.AuthenticatedGroup] };
            result["status"] = new JsonObject
            {
                ["authenticated"] = true,
                ["user"] = UserInfoJson(user),
                ["audiences"] = new JsonArray(call.Endpoint.Options.ServiceAccountTokens.EffectiveAudiences.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
            };
        }
        else
        {
            result["status"] = new JsonObject
            {
                ["user"] = new JsonObject(),
                ["error"] = outcome.Error is { } e ? $"[invalid bearer token, {e}]" : "invalid bearer token",
            };
        }
    }
}
