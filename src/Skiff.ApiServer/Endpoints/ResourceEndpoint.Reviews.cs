using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    /// <summary>True for the virtual, create-only review resources answered by <see cref="ReviewAsync"/>.</summary>
    private static bool IsReview(ResourceDescriptor d) =>
        (d.Group, d.Resource) is ("authorization.k8s.io", "selfsubjectaccessreviews" or "subjectaccessreviews" or "localsubjectaccessreviews")
            or ("authentication.k8s.io", "selfsubjectreviews" or "tokenreviews");

    /// <summary>
    /// POST tokenreviews (answered by <see cref="TokenReviewAsync"/>), selfsubjectaccessreviews (<c>kubectl auth can-i</c>) and selfsubjectreviews (<c>kubectl auth whoami</c>):
    /// answered from the request's user and never stored, 201 with the review and its status; subjectaccessreviews and
    /// localsubjectaccessreviews ask about spec.user/spec.groups. Access reviews answer the enforced decision of the
    /// authorizer chain (<see cref="Authorization.AccessReviews"/>); with authorization off every request is allowed.
    /// </summary>
    private async Task ReviewAsync(HttpContext ctx, ResourceDescriptor d, string ns, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var review = await ReadObjectAsync(ctx, d, ct).ConfigureAwait(false);
        CheckTypeMeta(review, d.Kind, d.GroupVersion);
        var result = new JsonObject
        {
            ["kind"] = d.Kind,
            ["apiVersion"] = d.GroupVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
        };
        if (d.Resource is "selfsubjectaccessreviews" or "subjectaccessreviews" or "localsubjectaccessreviews")
        {
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

            var subject = d.Resource == "selfsubjectaccessreviews" ? user : Authorization.AccessReviews.SubjectOf(spec!, d.Kind);
            if (d.Resource == "localsubjectaccessreviews")
            {
                var asked = (string?)spec!["resourceAttributes"]?["namespace"] ?? "";
                if (hasNonResource)
                {
                    throw StatusErrors.Invalid(d.Group, d.Kind, "", [FieldError.Invalid("spec.nonResourceAttributes", "", "disallowed on this kind of request")]);
                }

                if (asked != ns)
                {
                    throw StatusErrors.Invalid(d.Group, d.Kind, "", [FieldError.Invalid("spec.resourceAttributes.namespace", asked, "must match metadata.namespace")]);
                }

                result["metadata"]!["namespace"] = ns;
            }

            result["spec"] = spec!.DeepClone();
            result["status"] = Authorization.RequestAuthorization.Current is { } authz
                ? Authorization.AccessReviews.AccessStatus(authz.Authorizer, subject, spec)
                : new JsonObject { ["allowed"] = true };
        }
        else if (d.Resource == "tokenreviews")
        {
            await TokenReviewAsync(review, result, ct).ConfigureAwait(false);
        }
        else
        {
            result["status"] = new JsonObject { ["userInfo"] = UserInfoJson(user) };
        }

        await Responses.WriteAsync(ctx, 201, result, neg.Format).ConfigureAwait(false);
    }
}
