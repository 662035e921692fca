using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Rbac;

/// <summary>
/// The rules shared by the RBAC strategies (<c>pkg/apis/rbac/validation</c>): rules need verbs and, for
/// resource rules, apiGroups and resources; bindings need a roleRef that never changes and subjects of a known kind;
/// and the binding printer (ROLE, USERS, GROUPS, SERVICEACCOUNTS).
/// </summary>
public static class RbacRules
{
    /// <summary>Validates <c>rules</c> of a Role or ClusterRole.</summary>
    public static IEnumerable<FieldError> ValidateRules(JsonObject obj, bool clusterScoped)
    {
        var i = 0;
        foreach (var rule in JsonPath.Objects(obj, "rules"))
        {
            var path = $"rules[{i++}]";
            if (JsonPath.Arr(rule, "verbs") is not { Count: > 0 })
            {
                yield return FieldError.Required(path + ".verbs", "verbs must contain at least one value");
            }

            var hasUrls = JsonPath.Arr(rule, "nonResourceURLs") is { Count: > 0 };
            if (hasUrls && !clusterScoped)
            {
                yield return FieldError.Invalid(path + ".nonResourceURLs", "[]string{...}", "namespaced rules cannot apply to non-resource URLs");
            }

            if (!hasUrls)
            {
                if (JsonPath.Arr(rule, "apiGroups") is not { Count: > 0 })
                {
                    yield return FieldError.Required(path + ".apiGroups", "resource rules must supply at least one api group");
                }

                if (JsonPath.Arr(rule, "resources") is not { Count: > 0 })
                {
                    yield return FieldError.Required(path + ".resources", "resource rules must supply at least one resource");
                }
            }
        }
    }

    /// <summary>Validates roleRef and subjects of a (Cluster)RoleBinding.</summary>
    public static IEnumerable<FieldError> ValidateBinding(JsonObject obj, bool clusterScoped)
    {
        var roleRef = JsonPath.Obj(obj, "roleRef");
        var apiGroup = JsonPath.Str(roleRef, "apiGroup") ?? "";
        if (apiGroup != "rbac.authorization.k8s.io")
        {
            yield return FieldError.NotSupported("roleRef.apiGroup", Rules.Q(apiGroup), ["rbac.authorization.k8s.io"]);
        }

        var kind = JsonPath.Str(roleRef, "kind") ?? "";
        string[] kinds = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"];
        if (!kinds.Contains(kind))
        {
            yield return FieldError.NotSupported("roleRef.kind", Rules.Q(kind), kinds);
        }

        var name = JsonPath.Str(roleRef, "name") ?? "";
        if (name.Length == 0)
        {
            yield return FieldError.Required("roleRef.name");
        }
        else
        {
            foreach (var m in Rules.PathSegmentName(name))
            {
                yield return FieldError.Invalid("roleRef.name", Rules.Q(name), m);
            }
        }

        var i = 0;
        foreach (var s in JsonPath.Objects(obj, "subjects"))
        {
            var path = $"subjects[{i++}]";
            var sk = JsonPath.Str(s, "kind") ?? "";
            var sn = JsonPath.Str(s, "name") ?? "";
            if (sn.Length == 0)
            {
                yield return FieldError.Required(path + ".name");
            }

            switch (sk)
            {
                case "ServiceAccount":
                    if (JsonPath.Str(s, "apiGroup") is { Length: > 0 } g)
                    {
                        yield return FieldError.NotSupported(path + ".apiGroup", Rules.Q(g), [""]);
                    }

                    if (clusterScoped && JsonPath.Str(s, "namespace") is null or "")
                    {
                        yield return FieldError.Required(path + ".namespace");
                    }

                    break;
                case "User":
                case "Group":
                    if ((JsonPath.Str(s, "apiGroup") ?? "") != "rbac.authorization.k8s.io")
                    {
                        yield return FieldError.NotSupported(path + ".apiGroup", Rules.Q(JsonPath.Str(s, "apiGroup") ?? ""), ["rbac.authorization.k8s.io"]);
                    }

                    break;
                default:
                    yield return FieldError.NotSupported(path + ".kind", Rules.Q(sk), ["ServiceAccount", "User", "Group"]);
                    break;
            }
        }
    }

    /// <summary><c>cannot change roleRef</c> when it changed.</summary>
    public static IEnumerable<FieldError> ImmutableRoleRef(JsonObject newObj, JsonObject oldObj)
    {
        if (!JsonNode.DeepEquals(newObj["roleRef"], oldObj["roleRef"]))
        {
            var r = JsonPath.Obj(newObj, "roleRef");
            yield return FieldError.Invalid("roleRef",
                $"rbac.RoleRef{{APIGroup:{Rules.Q(JsonPath.Str(r, "apiGroup") ?? "")}, Kind:{Rules.Q(JsonPath.Str(r, "kind") ?? "")}, Name:{Rules.Q(JsonPath.Str(r, "name") ?? "")}}}",
                "cannot change roleRef");
        }
    }

    /// <summary>The binding table of upstream (wide USERS, GROUPS, SERVICEACCOUNTS).</summary>
    public static TableDefinition BindingTable(string what) => new(
        [
            Columns.Name,
            Columns.S("Role", "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
            Columns.Age,
            Columns.S("Users", $"Users in the {what}", 1),
            Columns.S("Groups", $"Groups in the {what}", 1),
            Columns.S("ServiceAccounts", $"ServiceAccounts in the {what}", 1),
        ],
        (o, now) =>
        {
            var users = new List<string>();
            var groups = new List<string>();
            var sas = new List<string>();
            foreach (var s in JsonPath.Objects(o, "subjects"))
            {
                var name = JsonPath.Str(s, "name") ?? "";
                switch (JsonPath.Str(s, "kind"))
                {
                    case "User": users.Add(name); break;
                    case "Group": groups.Add(name); break;
                    case "ServiceAccount": sas.Add($"{JsonPath.Str(s, "namespace")}/{name}"); break;
                }
            }

            return
            [
                JsonPath.Name(o), $"{JsonPath.Str(o, "roleRef", "kind")}/{JsonPath.Str(o, "roleRef", "name")}", Cells.Age(o, now),
                string.Join(", ", users), string.Join(", ", groups), string.Join(", ", sas),
            ];
        });
}
