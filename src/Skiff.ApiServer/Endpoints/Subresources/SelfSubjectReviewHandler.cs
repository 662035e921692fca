using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>SelfSubjectReview (<c>kubectl auth whoami</c>): the status is the requesting user's <c>userInfo</c>.</summary>
internal sealed class SelfSubjectReviewHandler : ReviewHandler
{
    private SelfSubjectReviewHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static SelfSubjectReviewHandler Instance { get; } = new();

    /// <inheritdoc />
    protected override Task CompleteAsync(SubresourceCall call, JsonObject review, JsonObject result, CancellationToken ct)
    {
        result["status"] = new JsonObject { ["userInfo"] = TokenReviewHandler.UserInfoJson(call.User) };
        return Task.CompletedTask;
    }
}
