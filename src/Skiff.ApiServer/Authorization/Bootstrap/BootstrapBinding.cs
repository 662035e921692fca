namespace Skiff.ApiServer.Authorization.Bootstrap;

/// <summary>A binding of the bootstrap policy.</summary>
/// <param name="Name">The binding's name.</param>
/// <param name="Namespace">The RoleBinding's namespace; empty for a ClusterRoleBinding.</param>
/// <param name="RoleKind">ClusterRole or Role.</param>
/// <param name="RoleName">The bound role.</param>
/// <param name="Subjects">Whom it binds (may be empty, as upstream's <c>system:node</c> binding).</param>
public sealed record BootstrapBinding(string Name, string Namespace, string RoleKind, string RoleName, IReadOnlyList<RbacSubject> Subjects);
