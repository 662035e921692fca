using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Authorization;

/// <summary>A RoleBinding (with a namespace) or ClusterRoleBinding (without), as the authorizer needs it.</summary>
/// <param name="Name">The binding's name.</param>
/// <param name="Namespace">The RoleBinding's namespace; empty for a ClusterRoleBinding.</param>
/// <param name="RoleKind">Role or ClusterRole.</param>
/// <param name="RoleName">The referenced role's name.</param>
/// <param name="Subjects">Whom it binds.</param>
public sealed record RbacBinding(string Name, string Namespace, string RoleKind, string RoleName, IReadOnlyList<RbacSubject> Subjects)
{
    /// <summary>Reads a binding object.</summary>
    public static RbacBinding FromJson(JsonObject b)
    {
        var meta = b["metadata"] as JsonObject;
        var roleRef = b["roleRef"] as JsonObject;
        var subjects = b["subjects"] is JsonArray a ? a.OfType<JsonObject>().Select(RbacSubject.FromJson).ToArray() : [];
        return new RbacBinding((string?)meta?["name"] ?? "", (string?)meta?["namespace"] ?? "", (string?)roleRef?["kind"] ?? "", (string?)roleRef?["name"] ?? "", subjects);
    }

    /// <summary>Upstream's binding describer: <c>ClusterRoleBinding "b" of ClusterRole "r" to User "u"</c>, <c>RoleBinding "b/ns" of Role "r" to …</c>.</summary>
    public string Describe(RbacSubject subject)
    {
        var q = Skiff.Api.Validation.GoFormat.Quote;
        return Namespace.Length == 0
            ? $"ClusterRoleBinding {q(Name)} of {RoleKind} {q(RoleName)} to {subject.Describe("")}"
            : $"RoleBinding {q(Name + "/" + Namespace)} of {RoleKind} {q(RoleName)} to {subject.Describe(Namespace)}";
    }
}
