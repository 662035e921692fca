using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// The answers of the access reviews (upstream <c>pkg/registry/authorization/*</c>): SelfSubjectAccessReview,
/// SubjectAccessReview and LocalSubjectAccessReview ask the enforced authorizer chain about a user and report
/// <c>allowed</c>, <c>denied</c> and the reason; SelfSubjectRulesReview lists the rules RBAC grants the user in a
/// namespace (upstream's rule resolution: <c>system:masters</c> get <c>*</c>; nodes get an incomplete answer).
/// </summary>
public static class AccessReviews
{
    /// <summary>The status of an access review of <paramref name="spec"/> for <paramref name="user"/>.</summary>
    public static JsonObject AccessStatus(IAuthorizer authorizer, UserInfo user, JsonObject spec)
    {
        var attributes = Attributes(user, spec);
        var result = authorizer.Authorize(attributes);
        var status = new JsonObject { ["allowed"] = result.Allowed };
        if (result.Decision == Decision.Deny)
        {
            status["denied"] = true;
        }

        if (result.Reason.Length > 0)
        {
            status["reason"] = result.Reason;
        }

        return status;
    }

    /// <summary>The attributes a review spec asks about (resourceAttributes or nonResourceAttributes).</summary>
    public static AuthorizationAttributes Attributes(UserInfo user, JsonObject spec)
    {
        if (spec["resourceAttributes"] is JsonObject r)
        {
            return new AuthorizationAttributes
            {
                User = user,
                Verb = Str(r, "verb"),
                IsResourceRequest = true,
                Namespace = Str(r, "namespace"),
                ApiGroup = Str(r, "group"),
                ApiVersion = Str(r, "version"),
                Resource = Str(r, "resource"),
                Subresource = Str(r, "subresource"),
                Name = Str(r, "name"),
            };
        }

        var n = spec["nonResourceAttributes"] as JsonObject;
        return new AuthorizationAttributes { User = user, Verb = Str(n, "verb"), Path = Str(n, "path") };
    }

    /// <summary>
    /// The user a SubjectAccessReview asks about (spec.user, spec.groups, spec.uid); 422 when neither user nor groups is set.
    /// </summary>
    public static UserInfo SubjectOf(JsonObject spec, string kind)
    {
        var name = Str(spec, "user");
        var groups = spec["groups"] is JsonArray a ? a.Select(x => (string?)x ?? "").ToArray() : [];
        if (name.Length == 0 && groups.Length == 0)
        {
            throw StatusErrors.Invalid("authorization.k8s.io", kind, "", [FieldError.Invalid("spec.user,spec.groups", "null", "at least one of user or group must be specified")]);
        }

        var uid = Str(spec, "uid");
        return new UserInfo(name, uid.Length > 0 ? uid : null, groups);
    }

    /// <summary>The status of a SelfSubjectRulesReview for <paramref name="user"/> in <paramref name="ns"/>.</summary>
    public static JsonObject RulesStatus(RbacCache rbac, UserInfo user, string ns)
    {
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        var errors = new List<string>();
        if (AuthorizerChain.IsMaster(user))
        {
            resourceRules.Add(new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") });
            nonResourceRules.Add(new JsonObject { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") });
        }

        if (NodeAuthorizer.NodeName(user) is not null)
        {
            errors.Add("node authorizer does not support user rule resolution");
        }

        var (rules, rbacErrors) = rbac.RulesFor(user, ns);
        foreach (var r in rules)
        {
            if (r.Resources.Count > 0)
            {
                var o = new JsonObject { ["verbs"] = Array(r.Verbs), ["apiGroups"] = Array(r.ApiGroups), ["resources"] = Array(r.Resources) };
                if (r.ResourceNames.Count > 0)
                {
                    o["resourceNames"] = Array(r.ResourceNames);
                }

                resourceRules.Add(o);
            }

            if (r.NonResourceUrls.Count > 0)
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = Array(r.Verbs), ["nonResourceURLs"] = Array(r.NonResourceUrls) });
            }
        }

        errors.AddRange(rbacErrors);
        var status = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            ["incomplete"] = errors.Count > 0,
        };
        if (errors.Count > 0)
        {
            status["evaluationError"] = RbacAuthorizer.Aggregate(errors);
        }

        return status;
    }

    private static string Str(JsonObject? o, string field) => o?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
}
