using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Every rule that applies to one user in one namespace (upstream's <c>DefaultRuleResolver.VisitRulesFor</c> walk,
/// done once): the rules in visit order (cluster bindings first, then the namespace's), each with the
/// <c>RBAC: allowed by …</c> reason it grants, and the no-opinion reason made of the resolution errors (bindings to
/// missing roles). <see cref="RbacCache"/> resolves it once per user, namespace and RBAC snapshot; any change to a
/// Role, ClusterRole or binding starts a new snapshot, so a revoked binding stops authorizing as soon as its change
/// reaches the cache.
/// </summary>
public sealed class ResolvedRules
{
    internal ResolvedRules(IReadOnlyList<Grant> grants, IReadOnlyList<string> errors)
    {
        Grants = grants;
        Errors = errors;
        NoOpinionReason = errors.Count == 0 ? "" : "RBAC: " + RbacAuthorizer.Aggregate(errors);
    }

    /// <summary>The rules, in visit order, with the binding that grants each.</summary>
    public IReadOnlyList<Grant> Grants { get; }

    /// <summary>The resolution errors, in visit order.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The reason of a request no rule allows: <c>RBAC: </c> and the errors, or empty.</summary>
    public string NoOpinionReason { get; }

    /// <summary>One rule and the binding it comes from.</summary>
    /// <param name="Rule">The rule.</param>
    /// <param name="Source">The binding's description (<c>RoleBinding "b/ns" of ClusterRole "edit" to User "u"</c>).</param>
    public sealed record Grant(PolicyRule Rule, string Source)
    {
        /// <summary>The reason of a request this rule allows: <c>RBAC: allowed by </c> and the source.</summary>
        public string AllowedReason { get; } = "RBAC: allowed by " + Source;
    }

    /// <summary>
    /// The memo key: who (name and groups; RBAC looks at nothing else) in which namespace. Compared by value without
    /// allocating, so a request finds its user's rules with one hash lookup.
    /// </summary>
    internal readonly record struct Key(UserInfo User, string Namespace);

    /// <summary>Compares <see cref="Key"/>s by user name, groups (in order) and namespace.</summary>
    internal sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static KeyComparer Instance { get; } = new();

        public bool Equals(Key x, Key y)
        {
            if (!string.Equals(x.Namespace, y.Namespace, StringComparison.Ordinal) || !string.Equals(x.User.Name, y.User.Name, StringComparison.Ordinal))
            {
                return false;
            }

            if (ReferenceEquals(x.User.Groups, y.User.Groups))
            {
                return true;
            }

            var (a, b) = (x.User.Groups, y.User.Groups);
            if (a.Count != b.Count)
            {
                return false;
            }

            for (var i = 0; i < a.Count; i++)
            {
                if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(Key key)
        {
            var h = new HashCode();
            h.Add(key.Namespace, StringComparer.Ordinal);
            h.Add(key.User.Name, StringComparer.Ordinal);
            var groups = key.User.Groups;
            for (var i = 0; i < groups.Count; i++)
            {
                h.Add(groups[i], StringComparer.Ordinal);
            }

            return h.ToHashCode();
        }
    }
}
