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
        (d.Group, d.Resource) is ("authorization.k8s.io", "selfsubjectaccessreviews") or ("authentication.k8s.io", "selfsubjectreviews" or "tokenreviews");

    /// <summary>
    /// POST tokenreviews (answered by <see cref="TokenReviewAsync"/>), selfsubjectaccessreviews (<c>kubectl auth can-i</c>) and selfsubjectreviews (<c>kubectl auth whoami</c>):
    /// answered from the request's user and never stored, 201 with the review and its status. Skiff authorizes every
    /// authenticated request (upstream's AlwaysAllow), so access reviews are allowed.
    /// </summary>
    private async Task ReviewAsync(HttpContext ctx, ResourceDescriptor d, UserInfo user, CancellationToken ct)
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
        if (d.Resource == "selfsubjectaccessreviews")
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

            result["spec"] = spec!.DeepClone();
            result["status"] = new JsonObject { ["allowed"] = true };
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
