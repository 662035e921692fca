namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Upstream's RBAC authorizer (<c>plugin/pkg/auth/authorizer/rbac/rbac.go</c>): allows when any rule bound to the
/// user (cluster-wide, or in the request's namespace) allows the request, with the reason
/// <c>RBAC: allowed by …</c>; otherwise no opinion, with <c>RBAC: …</c> resolution errors (a binding to a missing
/// role) as the reason. RBAC never denies. The rules come from <see cref="RbacCache.Resolve"/>: resolved once per user,
/// namespace and RBAC snapshot, so a request allocates nothing here.
/// </summary>
public sealed class RbacAuthorizer(RbacCache cache) : IAuthorizer
{
    /// <summary>The cache the decisions come from.</summary>
    public RbacCache Cache => cache;

    /// <inheritdoc/>
    public AuthorizationResult Authorize(AuthorizationAttributes attributes)
    {
        var resolved = cache.Resolve(attributes.User, attributes.Namespace);
        var grants = resolved.Grants;
        for (var i = 0; i < grants.Count; i++)
        {
            if (grants[i].Rule.Allows(attributes))
            {
                return new AuthorizationResult(Decision.Allow, grants[i].AllowedReason);
            }
        }

        return new AuthorizationResult(Decision.NoOpinion, resolved.NoOpinionReason);
    }

    /// <summary>Go's <c>utilerrors.NewAggregate(...).Error()</c>: one message alone, several as <c>[a, b]</c>.</summary>
    public static string Aggregate(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors.Distinct(StringComparer.Ordinal)) + "]";
}
