using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.ClusterRoleAggregation;

/// <summary>
/// Upstream's <c>clusterrole-aggregation</c> controller (<c>pkg/controller/clusterroleaggregation</c>): a ClusterRole
/// with an <c>aggregationRule</c> gets, as its rules, the union of the rules of every other ClusterRole its selectors
/// match (roles by name, rules in order, duplicates dropped). Any ClusterRole change re-evaluates every aggregated
/// role; a role that already has exactly those rules is left alone.
/// </summary>
public sealed class ClusterRoleAggregationController : IReconciler
{
    private readonly Clientset _clientset;
    private readonly Lister<V1ClusterRole> _roles;

    private ClusterRoleAggregationController(Manager manager)
    {
        _clientset = manager.Clientset;
        _roles = manager.Informers.Informer<V1ClusterRole>().Lister;
    }

    /// <summary>Wires the controller into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context)
    {
        var manager = context.Manager;
        var controller = new ClusterRoleAggregationController(manager);
        manager.CreateController()
            .Named("clusterrole-aggregation")
            .For<V1ClusterRole>(r => r.AggregationRule is not null)
            .Watches<V1ClusterRole>(_ => controller._roles.List().Where(r => r.AggregationRule is not null).Select(r => new ReconcileRequest(null, r.Metadata.Name)))
            .Complete(controller);
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var role = _roles.Get(null, request.Name);
        if (role?.AggregationRule is null)
        {
            return ReconcileResult.Done;
        }

        var rules = Aggregate(role, _roles.List());
        if (SameRules(role.Rules, rules))
        {
            return ReconcileResult.Done;
        }

        var client = _clientset.Resource<V1ClusterRole, V1ClusterRoleList>();
        try
        {
            // A copy from the server, never the cache's object.
            var current = await client.GetAsync(request.Name, ct: ct).ConfigureAwait(false);
            current.Rules = rules;
            await client.UpdateAsync(current, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile.
        }

        return ReconcileResult.Done;
    }

    /// <summary>The rules <paramref name="role"/> aggregates from <paramref name="all"/>.</summary>
    public static List<V1PolicyRule> Aggregate(V1ClusterRole role, IEnumerable<V1ClusterRole> all)
    {
        var rules = new List<V1PolicyRule>();
        var sorted = all.OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).ToList();
        foreach (var selector in role.AggregationRule.ClusterRoleSelectors ?? [])
        {
            var s = Selectors.From(selector);
            foreach (var source in sorted)
            {
                if (source.Metadata.Name == role.Metadata.Name || !Selectors.Matches(s, source.Metadata.Labels))
                {
                    continue;
                }

                foreach (var rule in source.Rules ?? [])
                {
                    if (!rules.Any(r => SameRule(r, rule)))
                    {
                        rules.Add(rule);
                    }
                }
            }
        }

        return rules;
    }

    private static bool SameRules(IList<V1PolicyRule>? a, List<V1PolicyRule> b) =>
        (a?.Count ?? 0) == b.Count && (a is null || a.Zip(b).All(p => SameRule(p.First, p.Second)));

    private static bool SameRule(V1PolicyRule a, V1PolicyRule b) =>
        Same(a.Verbs, b.Verbs) && Same(a.ApiGroups, b.ApiGroups) && Same(a.Resources, b.Resources)
        && Same(a.ResourceNames, b.ResourceNames) && Same(a.NonResourceURLs, b.NonResourceURLs);

    private static bool Same(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);
}
