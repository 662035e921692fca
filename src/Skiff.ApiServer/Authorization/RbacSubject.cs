using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>A binding subject (<c>rbac/v1 Subject</c>) and upstream's <c>appliesToUser</c>.</summary>
/// <param name="Kind">User, Group or ServiceAccount.</param>
/// <param name="Name">The user, group or service-account name.</param>
/// <param name="Namespace">The service account's namespace (empty: the binding's).</param>
public sealed record RbacSubject(string Kind, string Name, string Namespace)
{
    /// <summary>Reads a subject from JSON.</summary>
    public static RbacSubject FromJson(JsonObject s) =>
        new((string?)s["kind"] ?? "", (string?)s["name"] ?? "", (string?)s["namespace"] ?? "");

    /// <summary>True when the subject names <paramref name="user"/> (for service accounts, in <paramref name="bindingNamespace"/> when the subject has no namespace).</summary>
    public bool AppliesTo(UserInfo user, string bindingNamespace)
    {
        switch (Kind)
        {
            case "User":
                return user.Name == Name;
            case "Group":
                foreach (var g in user.Groups)
                {
                    if (g == Name)
                    {
                        return true;
                    }
                }

                return false;
            case "ServiceAccount":
                var ns = Namespace.Length > 0 ? Namespace : bindingNamespace;
                return user.Name == $"system:serviceaccount:{ns}:{Name}";
            default:
                return false;
        }
    }

    /// <summary>Upstream's <c>describeSubject</c>: <c>User "alice"</c>, <c>ServiceAccount "sa/ns"</c>.</summary>
    public string Describe(string bindingNamespace) => Kind == "ServiceAccount"
        ? $"{Kind} {Skiff.Api.Validation.GoFormat.Quote(Name + "/" + (Namespace.Length > 0 ? Namespace : bindingNamespace))}"
        : $"{Kind} {Skiff.Api.Validation.GoFormat.Quote(Name)}";
}
