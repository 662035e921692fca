using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// The authorization context of the request being served, for the checks that run inside the write path (RBAC
/// escalation and bind prevention, NodeRestriction): who asks and the authorizers that decide. Set by the API
/// handler for the duration of one request when authorization is enforced; absent for the server's own writes
/// (bootstrap), which are not checked. Flows with the request's async context.
/// </summary>
/// <param name="User">The requesting user.</param>
/// <param name="Namespace">The request's namespace.</param>
/// <param name="Authorizer">The authorizer chain.</param>
/// <param name="Rbac">The RBAC cache (rule resolution; written-through on commit).</param>
public sealed record RequestAuthorization(UserInfo User, string Namespace, IAuthorizer Authorizer, RbacCache Rbac)
{
    private static readonly AsyncLocal<RequestAuthorization?> CurrentContext = new();

    /// <summary>The context of the request being served, or null.</summary>
    public static RequestAuthorization? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }
}
