using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Authorization.Bootstrap;

/// <summary>
/// Reconciles <see cref="BootstrapPolicy"/> at API server start with <c>kubectl auth reconcile</c> semantics
/// (upstream <c>pkg/registry/rbac/reconciliation</c>, run by the <c>rbac/bootstrap-roles</c> post-start hook):
/// missing objects are created; existing ones get the missing rules (as simple rules), labels, annotations,
/// aggregation selectors and subjects added; a binding whose roleRef changed is recreated; an object annotated
/// <c>rbac.authorization.kubernetes.io/autoupdate: "false"</c> is left alone. An aggregated role created here gets the
/// rules of the bootstrap roles it aggregates at once (the aggregation controller keeps them current afterwards).
/// </summary>
internal static class BootstrapReconciler
{
    private const string Group = "rbac.authorization.k8s.io";
    private const string Manager = "kube-apiserver";

    /// <summary>Reconciles every role and binding; returns how many objects were created or updated.</summary>
    public static async Task<int> ReconcileAsync(ResourceRegistry registry, ResourceEndpoint resources, CancellationToken ct)
    {
        var changed = 0;
        foreach (var role in BootstrapPolicy.Roles)
        {
            var resource = role.Namespace.Length == 0 ? "clusterroles" : "roles";
            if (registry.Find(Group, "v1", resource) is not { } d)
            {
                return changed;
            }

            changed += await EnsureAsync(resources.StoreFor(d), role.Namespace, role.Name, RoleObject(role), MergeRole, ct).ConfigureAwait(false);
        }

        foreach (var binding in BootstrapPolicy.Bindings)
        {
            var resource = binding.Namespace.Length == 0 ? "clusterrolebindings" : "rolebindings";
            if (registry.Find(Group, "v1", resource) is not { } d)
            {
                return changed;
            }

            changed += await EnsureBindingAsync(resources.StoreFor(d), binding, ct).ConfigureAwait(false);
        }

        return changed;
    }

    /// <summary>The object for a bootstrap role.</summary>
    public static JsonObject RoleObject(BootstrapRole role)
    {
        var labels = new JsonObject();
        foreach (var (k, v) in BootstrapPolicy.BootstrapLabel.Concat(role.Labels ?? new Dictionary<string, string>()))
        {
            labels[k] = v;
        }

        var meta = new JsonObject
        {
            ["name"] = role.Name,
            ["labels"] = labels,
            ["annotations"] = new JsonObject { [BootstrapPolicy.AutoUpdateAnnotation] = "true" },
        };
        if (role.Namespace.Length > 0)
        {
            meta["namespace"] = role.Namespace;
        }

        var rules = role.Rules;
        var obj = new JsonObject
        {
            ["apiVersion"] = Group + "/v1",
            ["kind"] = role.Namespace.Length == 0 ? "ClusterRole" : "Role",
            ["metadata"] = meta,
        };
        if (role.AggregateFrom is { } selectors)
        {
            obj["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(selectors.Select(s => (JsonNode)new JsonObject
                {
                    ["matchLabels"] = new JsonObject(s.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                }).ToArray()),
            };
            rules = AggregatedBootstrapRules(role);
        }

        obj["rules"] = new JsonArray(rules.Select(r => (JsonNode)r.ToJson()).ToArray());
        return obj;
    }

    /// <summary>The union of the rules of the bootstrap roles an aggregated bootstrap role selects (recursively, as the controller converges to).</summary>
    private static IReadOnlyList<PolicyRule> AggregatedBootstrapRules(BootstrapRole role)
    {
        var result = new List<PolicyRule>();
        foreach (var selector in role.AggregateFrom ?? [])
        {
            foreach (var source in BootstrapPolicy.Roles.Where(r => r.Namespace.Length == 0 && r.Labels is { } l && selector.All(p => l.TryGetValue(p.Key, out var v) && v == p.Value)).OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                var rules = source.AggregateFrom is null ? source.Rules : AggregatedBootstrapRules(source);
                result.AddRange(rules.Where(r => !result.Contains(r, PolicyRuleComparer.Instance)));
            }
        }

        return result;
    }

    private static JsonObject? MergeRole(JsonObject existing, JsonObject desired)
    {
        var changed = MergeMetadata(existing, desired);
        if (desired["aggregationRule"] is JsonObject wantAgg)
        {
            var have = existing["aggregationRule"]?["clusterRoleSelectors"] as JsonArray;
            var selectors = have is null ? new JsonArray() : (JsonArray)have.DeepClone();
            foreach (var s in (JsonArray)wantAgg["clusterRoleSelectors"]!)
            {
                if (!selectors.Any(x => JsonNode.DeepEquals(x, s)))
                {
                    selectors.Add(s!.DeepClone());
                    changed = true;
                }
            }

            existing["aggregationRule"] = new JsonObject { ["clusterRoleSelectors"] = selectors };
            return changed ? existing : null;
        }

        var existingRules = PolicyRule.FromRole(existing);
        var (covered, missing) = RuleCoverage.Covers(existingRules, PolicyRule.FromRole(desired));
        if (!covered)
        {
            var rules = existing["rules"] as JsonArray ?? [];
            existing["rules"] = rules;
            foreach (var m in missing)
            {
                rules.Add(m.ToJson());
            }

            changed = true;
        }

        return changed ? existing : null;
    }

    private static bool MergeMetadata(JsonObject existing, JsonObject desired)
    {
        var changed = false;
        var meta = (JsonObject)existing["metadata"]!;
        foreach (var field in new[] { "labels", "annotations" })
        {
            var have = meta[field] as JsonObject;
            foreach (var (k, v) in (JsonObject)desired["metadata"]![field]!)
            {
                if (have is null)
                {
                    meta[field] = have = new JsonObject();
                }

                if (!have.ContainsKey(k))
                {
                    have[k] = v!.DeepClone();
                    changed = true;
                }
            }
        }

        return changed;
    }

    private static async Task<int> EnsureAsync(GenericStore store, string ns, string name, JsonObject desired, Func<JsonObject, JsonObject, JsonObject?> merge, CancellationToken ct)
    {
        var existing = await store.GetRawAsync(ns, name, ct).ConfigureAwait(false);
        if (existing is null)
        {
            try
            {
                await store.CreateAsync(ns, desired, new WriteOptions(false, Manager), ct).ConfigureAwait(false);
                return 1;
            }
            catch (StatusException e) when (e.Code == 409)
            {
                return 0;
            }
        }

        var current = GenericStore.Decode(existing);
        if ((string?)current["metadata"]?["annotations"]?[BootstrapPolicy.AutoUpdateAnnotation] == "false")
        {
            return 0;
        }

        if (merge((JsonObject)current.DeepClone(), desired) is null)
        {
            return 0;
        }

        await store.UpdateAsync(ns, name, old => merge(old, desired) ?? old, null, new WriteOptions(false, Manager), ct).ConfigureAwait(false);
        return 1;
    }

    private static async Task<int> EnsureBindingAsync(GenericStore store, BootstrapBinding binding, CancellationToken ct)
    {
        var desired = BindingObject(binding);
        var existing = await store.GetRawAsync(binding.Namespace, binding.Name, ct).ConfigureAwait(false);
        if (existing is not null)
        {
            var current = GenericStore.Decode(existing);
            if ((string?)current["metadata"]?["annotations"]?[BootstrapPolicy.AutoUpdateAnnotation] != "false" && !JsonNode.DeepEquals(current["roleRef"], desired["roleRef"]))
            {
                // roleRef is immutable: recreate, keeping the subjects already there.
                foreach (var s in current["subjects"] as JsonArray ?? [])
                {
                    if (!((JsonArray)desired["subjects"]!).Any(x => JsonNode.DeepEquals(x, s)))
                    {
                        ((JsonArray)desired["subjects"]!).Add(s!.DeepClone());
                    }
                }

                await store.DeleteAsync(binding.Namespace, binding.Name, new DeleteOptions(), ct).ConfigureAwait(false);
            }
        }

        return await EnsureAsync(store, binding.Namespace, binding.Name, desired, MergeBinding, ct).ConfigureAwait(false);
    }

    private static JsonObject? MergeBinding(JsonObject existing, JsonObject desired)
    {
        var changed = MergeMetadata(existing, desired);
        var subjects = existing["subjects"] as JsonArray ?? [];
        existing["subjects"] = subjects;
        foreach (var s in (JsonArray)desired["subjects"]!)
        {
            var want = RbacSubject.FromJson((JsonObject)s!);
            if (!subjects.OfType<JsonObject>().Any(x => RbacSubject.FromJson(x) == want))
            {
                subjects.Add(s!.DeepClone());
                changed = true;
            }
        }

        return changed ? existing : null;
    }

    /// <summary>The object for a bootstrap binding.</summary>
    public static JsonObject BindingObject(BootstrapBinding b)
    {
        var meta = new JsonObject
        {
            ["name"] = b.Name,
            ["labels"] = new JsonObject(BootstrapPolicy.BootstrapLabel.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["annotations"] = new JsonObject { [BootstrapPolicy.AutoUpdateAnnotation] = "true" },
        };
        if (b.Namespace.Length > 0)
        {
            meta["namespace"] = b.Namespace;
        }

        return new JsonObject
        {
            ["apiVersion"] = Group + "/v1",
            ["kind"] = b.Namespace.Length == 0 ? "ClusterRoleBinding" : "RoleBinding",
            ["metadata"] = meta,
            ["roleRef"] = new JsonObject { ["apiGroup"] = Group, ["kind"] = b.RoleKind, ["name"] = b.RoleName },
            ["subjects"] = new JsonArray(b.Subjects.Select(s =>
            {
                var o = new JsonObject { ["kind"] = s.Kind, ["name"] = s.Name };
                if (s.Kind == "ServiceAccount")
                {
                    o["namespace"] = s.Namespace;
                }
                else
                {
                    o["apiGroup"] = Group;
                }

                return (JsonNode)o;
            }).ToArray()),
        };
    }
}
