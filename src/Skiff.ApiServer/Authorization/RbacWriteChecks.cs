using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// RBAC's privilege-escalation prevention (upstream <c>pkg/registry/rbac/*/policybased</c>): a Role or ClusterRole may
/// only be written with rules its author already holds (or with the <c>escalate</c> verb on it; an aggregationRule
/// needs full authority), and a binding may only be written to a role whose rules its author holds (or with the
/// <c>bind</c> verb on the role). <c>system:masters</c> bypass both. Called from the RBAC strategies' write hook;
/// a committed write is applied to the RBAC cache at once.
/// </summary>
public static class RbacWriteChecks
{
    private const string Group = "rbac.authorization.k8s.io";
    private static readonly PolicyRule[] FullAuthority = [PolicyRule.Resource(["*"], ["*"], ["*"]), PolicyRule.Urls(["*"], ["*"])];

    /// <summary>Checks a write of <paramref name="newObj"/> (replacing <paramref name="oldObj"/>); the hook applies it to the cache on commit.</summary>
    /// <exception cref="StatusException">403 when the write would escalate; 404 when a binding's role does not exist.</exception>
    public static WriteHook? BeforeWrite(JsonObject newObj, JsonObject? oldObj, bool dryRun)
    {
        if (RequestAuthorization.Current is not { } ctx)
        {
            return null;
        }

        var kind = (string?)newObj["kind"] ?? "";
        if (!AuthorizerChain.IsMaster(ctx.User))
        {
            switch (kind)
            {
                case "Role" or "ClusterRole":
                    CheckRole(ctx, kind, newObj, oldObj);
                    break;
                case "RoleBinding" or "ClusterRoleBinding":
                    CheckBinding(ctx, kind, newObj, oldObj);
                    break;
            }
        }

        if (dryRun)
        {
            return null;
        }

        var committed = (JsonObject)newObj.DeepClone();
        return new WriteHook(_ =>
        {
            ctx.Rbac.Apply(committed);
            return ValueTask.CompletedTask;
        }, null);
    }

    private static void CheckRole(RequestAuthorization ctx, string kind, JsonObject obj, JsonObject? old)
    {
        var rules = PolicyRule.FromRole(obj);
        var aggregated = obj["aggregationRule"] is JsonObject;
        if (old is not null && JsonNode.DeepEquals(obj["rules"], old["rules"]) && JsonNode.DeepEquals(obj["aggregationRule"], old["aggregationRule"]))
        {
            return;
        }

        var (name, ns) = NameOf(obj);
        var resource = kind == "Role" ? "roles" : "clusterroles";
        var escalate = ctx.Authorizer.Authorize(new AuthorizationAttributes
        {
            User = ctx.User, Verb = "escalate", IsResourceRequest = true, ApiGroup = Group, ApiVersion = "v1",
            Resource = resource, Namespace = ns, Name = name,
        });
        if (escalate.Allowed)
        {
            return;
        }

        if (ConfirmNoEscalation(ctx, ns, rules) is { } error)
        {
            throw StatusErrors.Forbidden(Group, resource, name, error);
        }

        if (aggregated && ConfirmNoEscalation(ctx, ns, FullAuthority) is not null)
        {
            throw StatusErrors.Forbidden(Group, resource, name, "must have cluster-admin privileges to use the aggregationRule");
        }
    }

    private static void CheckBinding(RequestAuthorization ctx, string kind, JsonObject obj, JsonObject? old)
    {
        if (old is not null && JsonNode.DeepEquals(obj["roleRef"], old["roleRef"]) && JsonNode.DeepEquals(obj["subjects"], old["subjects"]))
        {
            return;
        }

        var (name, ns) = NameOf(obj);
        var roleKind = (string?)obj["roleRef"]?["kind"] ?? "";
        var roleName = (string?)obj["roleRef"]?["name"] ?? "";
        var bind = ctx.Authorizer.Authorize(new AuthorizationAttributes
        {
            User = ctx.User, Verb = "bind", IsResourceRequest = true, ApiGroup = Group, ApiVersion = "v1",
            Resource = roleKind == "Role" ? "roles" : "clusterroles", Namespace = ns, Name = roleName,
        });
        if (bind.Allowed)
        {
            return;
        }

        var (rules, missing) = ctx.Rbac.RoleReferenceRules(roleKind, roleName, ns);
        if (missing is not null)
        {
            throw StatusErrors.NotFound(Group, roleKind == "Role" ? "role" : "clusterrole", roleName);
        }

        if (ConfirmNoEscalation(ctx, ns, rules) is { } error)
        {
            throw StatusErrors.Forbidden(Group, kind == "RoleBinding" ? "rolebindings" : "clusterrolebindings", name, error);
        }
    }

    /// <summary>Upstream <c>ConfirmNoEscalation</c>: null when the user's rules in <paramref name="ns"/> cover <paramref name="rules"/>, else upstream's message.</summary>
    public static string? ConfirmNoEscalation(RequestAuthorization ctx, string ns, IReadOnlyList<PolicyRule> rules)
    {
        var (owner, errors) = ctx.Rbac.RulesFor(ctx.User, ns);
        var (covered, missing) = RuleCoverage.Covers(owner, rules);
        if (covered)
        {
            return null;
        }

        var descriptions = RuleCoverage.Compact(missing).Select(r => r.CompactString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var message = $"user {Skiff.Api.Validation.GoFormat.Quote(ctx.User.Name)} (groups={PolicyRule.GoList(ctx.User.Groups)}) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", descriptions)}";
        if (errors.Count > 0)
        {
            message += $"; resolution errors: [{RbacAuthorizer.Aggregate(errors)}]";
        }

        return message;
    }

    private static (string Name, string Namespace) NameOf(JsonObject obj) =>
        ((string?)obj["metadata"]?["name"] ?? "", (string?)obj["metadata"]?["namespace"] ?? "");
}
