namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Upstream's RBAC authorizer (<c>plugin/pkg/auth/authorizer/rbac/rbac.go</c>): allows when any rule bound to the
/// user (cluster-wide, or in the request's namespace) allows the request, with the reason
/// <c>RBAC: allowed by …</c>; otherwise no opinion, with <c>RBAC: …</c> resolution errors (a binding to a missing
/// role) as the reason. RBAC never denies.
/// </summary>
public sealed class RbacAuthorizer(RbacCache cache) : IAuthorizer
{
    /// <summary>The cache the decisions come from.</summary>
    public RbacCache Cache => cache;

    /// <inheritdoc/>
    public AuthorizationResult Authorize(AuthorizationAttributes attributes)
    {
        string? allowedBy = null;
        List<string>? errors = null;
        cache.VisitRulesFor(attributes.User, attributes.Namespace, (source, rule, error) =>
        {
            if (rule is not null && rule.Allows(attributes))
            {
                allowedBy = source;
                return false;
            }

            if (error is not null)
            {
                (errors ??= []).Add(error);
            }

            return true;
        });

        if (allowedBy is not null)
        {
            return new AuthorizationResult(Decision.Allow, "RBAC: allowed by " + allowedBy);
        }

        return new AuthorizationResult(Decision.NoOpinion, errors is null ? "" : "RBAC: " + Aggregate(errors));
    }

    /// <summary>Go's <c>utilerrors.NewAggregate(...).Error()</c>: one message alone, several as <c>[a, b]</c>.</summary>
    public static string Aggregate(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors.Distinct(StringComparer.Ordinal)) + "]";
}
