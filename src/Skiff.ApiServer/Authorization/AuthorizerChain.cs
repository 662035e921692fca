using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// The authorizer chain of <c>--authorization-mode=Node,RBAC</c> (upstream's union authorizer behind the
/// privileged-group authorizer): members of <c>system:masters</c> are always allowed; then each authorizer in turn,
/// the first Allow or Deny wins; when every one has no opinion, the reasons are joined with newlines.
/// </summary>
public sealed class AuthorizerChain(IReadOnlyList<IAuthorizer> authorizers) : IAuthorizer
{
    /// <summary>The group that is allowed everything (upstream <c>user.SystemPrivilegedGroup</c>).</summary>
    public const string MastersGroup = "system:masters";

    /// <summary>The authorizers after the privileged-group check, in order.</summary>
    public IReadOnlyList<IAuthorizer> Authorizers => authorizers;

    /// <inheritdoc/>
    public AuthorizationResult Authorize(AuthorizationAttributes attributes)
    {
        if (IsMaster(attributes.User))
        {
            return new AuthorizationResult(Decision.Allow, "");
        }

        List<string>? reasons = null;
        foreach (var a in authorizers)
        {
            var r = a.Authorize(attributes);
            if (r.Decision != Decision.NoOpinion)
            {
                return r;
            }

            if (r.Reason.Length > 0)
            {
                (reasons ??= []).Add(r.Reason);
            }
        }

        return new AuthorizationResult(Decision.NoOpinion, reasons is null ? "" : string.Join("\n", reasons));
    }

    /// <summary>True when <paramref name="user"/> is in <c>system:masters</c>.</summary>
    public static bool IsMaster(UserInfo user)
    {
        foreach (var g in user.Groups)
        {
            if (g == MastersGroup)
            {
                return true;
            }
        }

        return false;
    }
}
