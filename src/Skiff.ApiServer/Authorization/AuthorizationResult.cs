namespace Skiff.ApiServer.Authorization;

/// <summary>A decision and the reason reported with it (reviews show it; a 403 appends it to the message when not empty).</summary>
/// <param name="Decision">The verdict.</param>
/// <param name="Reason">Why, in upstream's words (e.g. <c>RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"</c>); may be empty.</param>
public readonly record struct AuthorizationResult(Decision Decision, string Reason)
{
    /// <summary>No opinion, no reason.</summary>
    public static AuthorizationResult NoOpinion { get; } = new(Decision.NoOpinion, "");

    /// <summary>True when the decision is <see cref="Decision.Allow"/>.</summary>
    public bool Allowed => Decision == Decision.Allow;
}
