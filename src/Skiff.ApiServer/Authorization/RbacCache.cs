using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;
using Skiff.Storage;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// The API server's in-memory view of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings (upstream's RBAC
/// informers and listers), fed by a watch on <c>/registry/rbac.authorization.k8s.io/</c>, so that no request reads
/// storage to be authorized. Also upstream's <c>DefaultRuleResolver</c>: which rules apply to a user in a namespace,
/// and from which binding. Writes made through this API server are applied as they commit (<see cref="Apply"/>), so a
/// client that created a binding is authorized by it on its next request; the watch delivers the same objects later.
/// </summary>
public sealed class RbacCache
{
    /// <summary>The storage prefix of every RBAC object.</summary>
    public const string Prefix = "/registry/rbac.authorization.k8s.io/";

    private readonly object _gate = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private Snapshot? _snapshot;

    /// <summary>Completes once the first list has been loaded (immediately for a cache fed by hand).</summary>
    public Task Synced { get; private set; } = Task.CompletedTask;

    /// <summary>Starts following <paramref name="storage"/>; returns once the first list is loaded.</summary>
    public async Task StartAsync(IStorage storage, CancellationToken ct)
    {
        var follower = new StorageFollower(storage, Prefix);
        follower.Reset += all =>
        {
            lock (_gate)
            {
                _objects.Clear();
                foreach (var (k, v) in all)
                {
                    _objects[k] = v;
                }

                _snapshot = null;
            }
        };
        follower.Changed += (key, obj) => Set(key, obj);
        Synced = follower.Synced;
        _ = Task.Run(() => follower.RunAsync(ct), CancellationToken.None);
        await follower.Synced.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Adds or replaces an RBAC object (kind and metadata decide where it goes).</summary>
    public void Apply(JsonObject obj)
    {
        var kind = (string?)obj["kind"] ?? "";
        var meta = obj["metadata"] as JsonObject;
        var name = (string?)meta?["name"] ?? "";
        var ns = (string?)meta?["namespace"] ?? "";
        var resource = kind switch
        {
            "ClusterRole" => "clusterroles",
            "Role" => "roles",
            "ClusterRoleBinding" => "clusterrolebindings",
            "RoleBinding" => "rolebindings",
            _ => null,
        };
        if (resource is null || name.Length == 0)
        {
            return;
        }

        Set(Prefix + resource + "/" + (ns.Length > 0 ? ns + "/" : "") + name, (JsonObject)obj.DeepClone());
    }

    private void Set(string key, JsonObject? obj)
    {
        lock (_gate)
        {
            if (obj is null)
            {
                _objects.Remove(key);
            }
            else
            {
                _objects[key] = obj;
            }

            _snapshot = null;
        }
    }

    /// <summary>Every ClusterRole object (copies are not made: do not mutate).</summary>
    public IReadOnlyList<JsonObject> ClusterRoleObjects() => Current().ClusterRoleObjects;

    /// <summary>The rules of a ClusterRole, or null when it does not exist.</summary>
    public IReadOnlyList<PolicyRule>? ClusterRoleRules(string name) => Current().ClusterRoles.GetValueOrDefault(name);

    /// <summary>
    /// The rules a role reference grants in <paramref name="ns"/> (upstream <c>GetRoleReferenceRules</c>); throws
    /// upstream's NotFound text as the error string when the role is missing.
    /// </summary>
    public (IReadOnlyList<PolicyRule> Rules, string? Error) RoleReferenceRules(string kind, string name, string ns) =>
        Current().RoleReferenceRules(kind, name, ns);

    /// <summary>
    /// Every rule that applies to <paramref name="user"/> in <paramref name="ns"/>, resolved once per user, namespace
    /// and RBAC snapshot (what the authorizer reads on every request; nothing is allocated when it is memoized).
    /// </summary>
    public ResolvedRules Resolve(UserInfo user, string ns) => Current().Resolve(user, ns);

    /// <summary>
    /// Visits every rule that applies to <paramref name="user"/> in <paramref name="ns"/> (cluster bindings first,
    /// then the namespace's bindings): <paramref name="visitor"/> gets the binding's description, the rule (null with
    /// an error when the role is missing) and returns false to stop.
    /// </summary>
    public void VisitRulesFor(UserInfo user, string ns, Func<string, PolicyRule?, string?, bool> visitor) =>
        Current().VisitRulesFor(user, ns, visitor);

    /// <summary>Every rule that applies to <paramref name="user"/> in <paramref name="ns"/>, and the resolution errors (upstream <c>RulesFor</c>).</summary>
    public (List<PolicyRule> Rules, List<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var resolved = Resolve(user, ns);
        return (resolved.Grants.Select(g => g.Rule).ToList(), resolved.Errors.ToList());
    }

    private Snapshot Current()
    {
        var s = _snapshot;
        if (s is not null)
        {
            return s;
        }

        lock (_gate)
        {
            return _snapshot ??= Build();
        }
    }

    private Snapshot Build()
    {
        var clusterRoles = new Dictionary<string, IReadOnlyList<PolicyRule>>(StringComparer.Ordinal);
        var clusterRoleObjects = new List<JsonObject>();
        var roles = new Dictionary<string, IReadOnlyList<PolicyRule>>(StringComparer.Ordinal);
        var crbs = new List<RbacBinding>();
        var rbs = new Dictionary<string, List<RbacBinding>>(StringComparer.Ordinal);
        foreach (var (key, obj) in _objects.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var rest = key[Prefix.Length..];
            var meta = obj["metadata"] as JsonObject;
            var name = (string?)meta?["name"] ?? "";
            var ns = (string?)meta?["namespace"] ?? "";
            if (rest.StartsWith("clusterroles/", StringComparison.Ordinal))
            {
                clusterRoles[name] = PolicyRule.FromRole(obj);
                clusterRoleObjects.Add(obj);
            }
            else if (rest.StartsWith("roles/", StringComparison.Ordinal))
            {
                roles[ns + "/" + name] = PolicyRule.FromRole(obj);
            }
            else if (rest.StartsWith("clusterrolebindings/", StringComparison.Ordinal))
            {
                crbs.Add(RbacBinding.FromJson(obj) with { Namespace = "" });
            }
            else if (rest.StartsWith("rolebindings/", StringComparison.Ordinal))
            {
                if (!rbs.TryGetValue(ns, out var list))
                {
                    rbs[ns] = list = [];
                }

                list.Add(RbacBinding.FromJson(obj));
            }
        }

        return new Snapshot(clusterRoles, clusterRoleObjects, roles, crbs, rbs.ToDictionary(p => p.Key, p => (IReadOnlyList<RbacBinding>)p.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// One immutable view of the RBAC objects, and the rules resolved from it per user and namespace (dropped with the
    /// snapshot when anything changes; at most <see cref="MaxResolved"/> are kept).
    /// </summary>
    private sealed record Snapshot(
        Dictionary<string, IReadOnlyList<PolicyRule>> ClusterRoles,
        List<JsonObject> ClusterRoleObjects,
        Dictionary<string, IReadOnlyList<PolicyRule>> Roles,
        List<RbacBinding> ClusterRoleBindings,
        Dictionary<string, IReadOnlyList<RbacBinding>> RoleBindings)
    {
        private const int MaxResolved = 8192;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<ResolvedRules.Key, ResolvedRules> _resolved = new(ResolvedRules.KeyComparer.Instance);
        private int _resolvedCount;

        public ResolvedRules Resolve(UserInfo user, string ns)
        {
            var key = new ResolvedRules.Key(user, ns);
            if (_resolved.TryGetValue(key, out var resolved))
            {
                return resolved;
            }

            resolved = Build(user, ns);
            if (Volatile.Read(ref _resolvedCount) < MaxResolved && _resolved.TryAdd(key, resolved))
            {
                Interlocked.Increment(ref _resolvedCount);
            }

            return resolved;
        }

        private ResolvedRules Build(UserInfo user, string ns)
        {
            var grants = new List<ResolvedRules.Grant>();
            var errors = new List<string>();
            VisitRulesFor(user, ns, (source, rule, error) =>
            {
                if (rule is not null)
                {
                    grants.Add(new ResolvedRules.Grant(rule, source));
                }

                if (error is not null)
                {
                    errors.Add(error);
                }

                return true;
            });
            return new ResolvedRules(grants.ToArray(), errors.ToArray());
        }

        public (IReadOnlyList<PolicyRule> Rules, string? Error) RoleReferenceRules(string kind, string name, string ns) => kind switch
        {
            "ClusterRole" => ClusterRoles.TryGetValue(name, out var cr)
                ? (cr, null)
                : ([], $"clusterrole.rbac.authorization.k8s.io {Skiff.Api.Validation.GoFormat.Quote(name)} not found"),
            "Role" => Roles.TryGetValue(ns + "/" + name, out var r)
                ? (r, null)
                : ([], $"role.rbac.authorization.k8s.io {Skiff.Api.Validation.GoFormat.Quote(name)} not found"),
            _ => ([], $"unsupported role reference kind: {Skiff.Api.Validation.GoFormat.Quote(kind)}"),
        };

        public void VisitRulesFor(UserInfo user, string ns, Func<string, PolicyRule?, string?, bool> visitor)
        {
            foreach (var b in ClusterRoleBindings)
            {
                if (!Visit(b, user, "", visitor))
                {
                    return;
                }
            }

            if (ns.Length > 0 && RoleBindings.TryGetValue(ns, out var bindings))
            {
                foreach (var b in bindings)
                {
                    if (!Visit(b, user, ns, visitor))
                    {
                        return;
                    }
                }
            }
        }

        private bool Visit(RbacBinding b, UserInfo user, string ns, Func<string, PolicyRule?, string?, bool> visitor)
        {
            var subject = b.Subjects.FirstOrDefault(s => s.AppliesTo(user, ns));
            if (subject is null)
            {
                return true;
            }

            var (rules, error) = RoleReferenceRules(b.RoleKind, b.RoleName, ns);
            if (error is not null)
            {
                return visitor("", null, error);
            }

            var source = b.Describe(subject);
            foreach (var r in rules)
            {
                if (!visitor(source, r, null))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
