using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Authorization;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectAccessReview (<c>kubectl auth can-i</c>): exactly one
/// of spec.resourceAttributes and spec.nonResourceAttributes (422 otherwise); the subject is spec.user/groups, or the
/// requesting user for the self review; a local review is namespaced, resource attributes only, in its own namespace.
/// The status is the enforced decision of the authorizer chain (<see cref="AccessReviews"/>); with authorization off
/// every request is allowed.
/// </summary>
internal sealed class AccessReviewHandler : ReviewHandler
{
    private readonly bool _self;
    private readonly bool _local;

    private AccessReviewHandler(bool self, bool local) => (_self, _local) = (self, local);

    /// <summary>subjectaccessreviews.</summary>
    public static AccessReviewHandler Subject { get; } = new(self: false, local: false);

    /// <summary>localsubjectaccessreviews.</summary>
    public static AccessReviewHandler Local { get; } = new(self: false, local: true);

    /// <summary>selfsubjectaccessreviews.</summary>
    public static AccessReviewHandler Self { get; } = new(self: true, local: false);

    /// <inheritdoc />
    protected override Task CompleteAsync(SubresourceCall call, JsonObject review, JsonObject result, CancellationToken ct)
    {
        var d = call.Resource;
        var spec = review["spec"] as JsonObject;
        var hasResource = spec?["resourceAttributes"] is JsonObject;
        var hasNonResource = spec?["nonResourceAttributes"] is JsonObject;
        if (hasResource == hasNonResource)
        {
            var error = hasResource
                ? FieldError.Invalid("spec.resourceAttributes", "", "cannot be specified in combination with nonResourceAttributes")
                : FieldError.Invalid("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
            throw StatusErrors.Invalid(d.Group, d.Kind, "", [error]);
        }

        var subject = _self ? call.User : AccessReviews.SubjectOf(spec!, d.Kind);
        if (_local)
        {
            var asked = (string?)spec!["resourceAttributes"]?["namespace"] ?? "";
            if (hasNonResource)
            {
                throw StatusErrors.Invalid(d.Group, d.Kind, "", [FieldError.Invalid("spec.nonResourceAttributes", "", "disallowed on this kind of request")]);
            }

            if (asked != call.Namespace)
            {
                throw StatusErrors.Invalid(d.Group, d.Kind, "", [FieldError.Invalid("spec.resourceAttributes.namespace", asked, "must match metadata.namespace")]);
            }

            result["metadata"]!["namespace"] = call.Namespace;
        }

        result["spec"] = spec!.DeepClone();
        result["status"] = RequestAuthorization.Current is { } authz
            ? AccessReviews.AccessStatus(authz.Authorizer, subject, spec)
            : new JsonObject { ["allowed"] = true };
        return Task.CompletedTask;
    }
}
