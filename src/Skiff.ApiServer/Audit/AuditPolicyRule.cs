using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Audit;

/// <summary>
/// One rule of an audit policy (audit.k8s.io/v1 <c>PolicyRule</c>, matched as upstream's <c>policy/checker.go</c>):
/// every set field must match — users, userGroups (any group), verbs, then either namespaces/resources (resource
/// requests only; <c>*</c>, <c>resource/subresource</c>, <c>*/subresource</c>, <c>resource/*</c>, resourceNames) or
/// nonResourceURLs (non-resource requests only; exact or a <c>prefix*</c>).
/// </summary>
public sealed record AuditPolicyRule
{
    /// <summary>The level of matching requests.</summary>
    public AuditLevel Level { get; init; }

    /// <summary>Users (empty: any).</summary>
    public IReadOnlyList<string> Users { get; init; } = [];

    /// <summary>Groups, any of which matches (empty: any).</summary>
    public IReadOnlyList<string> UserGroups { get; init; } = [];

    /// <summary>Verbs (empty: any).</summary>
    public IReadOnlyList<string> Verbs { get; init; } = [];

    /// <summary>Resource groups (empty: any resource).</summary>
    public IReadOnlyList<GroupResources> Resources { get; init; } = [];

    /// <summary>Namespaces ("" = cluster-scoped; empty list: any).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Non-resource URL patterns (empty: any).</summary>
    public IReadOnlyList<string> NonResourceUrls { get; init; } = [];

    /// <summary>Stages not logged for matching requests (on top of the policy's).</summary>
    public IReadOnlyList<string> OmitStages { get; init; } = [];

    /// <summary>Whether managedFields are dropped from logged objects (null: the policy's setting).</summary>
    public bool? OmitManagedFields { get; init; }

    /// <summary>Whether the rule matches a request of <paramref name="user"/> (null before authentication).</summary>
    public bool Matches(UserInfo? user, RequestInfo info)
    {
        if (Users.Count > 0 && (user is null || !Users.Contains(user.Name)))
        {
            return false;
        }

        if (UserGroups.Count > 0 && (user is null || !user.Groups.Any(UserGroups.Contains)))
        {
            return false;
        }

        if (Verbs.Count > 0 && !Verbs.Contains(info.Verb))
        {
            return false;
        }

        if (Namespaces.Count > 0 || Resources.Count > 0)
        {
            return MatchesResource(info);
        }

        if (NonResourceUrls.Count > 0)
        {
            return !info.IsResourceRequest && NonResourceUrls.Any(spec => PathMatches(info.Path, spec));
        }

        return true;
    }

    private bool MatchesResource(RequestInfo info)
    {
        if (!info.IsResourceRequest)
        {
            return false;
        }

        if (Namespaces.Count > 0 && !Namespaces.Contains(info.Namespace))
        {
            return false;
        }

        if (Resources.Count == 0)
        {
            return true;
        }

        var combined = info.Subresource.Length > 0 ? $"{info.Resource}/{info.Subresource}" : info.Resource;
        foreach (var gr in Resources)
        {
            if (gr.Group != info.Group)
            {
                continue;
            }

            if (gr.Resources.Count == 0)
            {
                return true;
            }

            if (gr.ResourceNames.Count > 0 && !gr.ResourceNames.Contains(info.Name))
            {
                continue;
            }

            foreach (var res in gr.Resources)
            {
                if (res == combined || res == "*"
                    || (info.Subresource.Length > 0 && res.StartsWith("*/", StringComparison.Ordinal) && res[2..] == info.Subresource)
                    || (res.EndsWith("/*", StringComparison.Ordinal) && res[..^2] == info.Resource))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool PathMatches(string path, string spec) =>
        spec == "*" || spec == path || (spec.EndsWith('*') && path.StartsWith(spec.TrimEnd('*'), StringComparison.Ordinal));

    /// <summary>A <c>GroupResources</c> entry: a group ("" = core), its resources and optional names.</summary>
    /// <param name="Group">The API group.</param>
    /// <param name="Resources">Resources (empty: all of the group).</param>
    /// <param name="ResourceNames">Names (empty: any).</param>
    public sealed record GroupResources(string Group, IReadOnlyList<string> Resources, IReadOnlyList<string> ResourceNames);
}
