using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// Upstream's <c>PodTopologySpread</c>. Filter (<c>whenUnsatisfiable: DoNotSchedule</c>): PreFilter counts, per
/// constraint and topology value, the matching pods on the nodes the constraint includes (node inclusion policies;
/// nodes lacking a topology key are left out); a node fails when its domain's count, plus one if the pod matches its
/// own selector, minus the global minimum (0 when fewer than <c>minDomains</c> domains exist) exceeds <c>maxSkew</c>
/// (<c>node(s) didn't match pod topology spread constraints</c>, or <c>... (missing required label)</c> when the node
/// lacks a key). Score (<c>ScheduleAnyway</c>, see the Scoring part). Pods without constraints get the configured
/// default constraints (upstream's system defaults: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway) whose
/// selector is derived from the Services, ReplicationController, ReplicaSet or StatefulSet selecting the pod.
/// </summary>
internal sealed partial class PodTopologySpread : IPreFilterPlugin, IFilterPlugin
{
    public const string PluginName = "PodTopologySpread";
    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";
    public const string LabelHostname = "kubernetes.io/hostname";
    public const string LabelZone = "topology.kubernetes.io/zone";
    private const string StateKey = "PreFilter" + PluginName;

    /// <summary>Upstream's <c>systemDefaultConstraints</c>.</summary>
    public static readonly IReadOnlyList<V1TopologySpreadConstraint> SystemDefaultConstraints =
    [
        new() { TopologyKey = LabelHostname, WhenUnsatisfiable = "ScheduleAnyway", MaxSkew = 3 },
        new() { TopologyKey = LabelZone, WhenUnsatisfiable = "ScheduleAnyway", MaxSkew = 5 },
    ];

    private readonly IClusterLister _cluster;
    private readonly IReadOnlyList<V1TopologySpreadConstraint> _defaultConstraints;
    private readonly bool _systemDefaulted;

    /// <param name="cluster">The owners whose selectors make the default constraints' selector.</param>
    /// <param name="defaultConstraints">Upstream's <c>defaultingType: List</c> constraints; null for <c>System</c> (the system defaults).</param>
    public PodTopologySpread(IClusterLister? cluster = null, IReadOnlyList<V1TopologySpreadConstraint>? defaultConstraints = null)
    {
        _cluster = cluster ?? EmptyClusterLister.Instance;
        _systemDefaulted = defaultConstraints is null;
        _defaultConstraints = defaultConstraints ?? SystemDefaultConstraints;
    }

    public string Name => PluginName;

    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var constraints = Constraints(pod, "DoNotSchedule");
        if (constraints.Count == 0)
        {
            return Status.Skip;
        }

        var ns = pod.Metadata.NamespaceProperty ?? "";
        var counts = constraints.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        foreach (var node in nodes)
        {
            var labels = node.Node.Metadata.Labels;
            if (!SpreadConstraint.HasAllKeys(labels, constraints))
            {
                continue;
            }

            for (var i = 0; i < constraints.Count; i++)
            {
                var c = constraints[i];
                if (!c.Includes(pod, node.Node))
                {
                    continue;
                }

                var value = labels![c.TopologyKey];
                counts[i][value] = counts[i].GetValueOrDefault(value) + c.Count(node.Pods, ns);
            }
        }

        state.Write(StateKey, new FilterState(constraints, counts));
        return null;
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var s = state.Read<FilterState>(StateKey);
        if (s is null)
        {
            return null;
        }

        var labels = node.Node.Metadata.Labels;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (labels is null || !labels.TryGetValue(c.TopologyKey, out var value))
            {
                return Status.Unresolvable(ErrReasonNodeLabelNotMatch);
            }

            var domains = s.Counts[i];
            var min = domains.Count < c.MinDomains || domains.Count == 0 ? 0 : domains.Values.Min();
            var self = c.Matches(pod.Metadata.Labels) ? 1 : 0;
            if (domains.GetValueOrDefault(value) + self - min > c.MaxSkew)
            {
                return Status.Unschedulable(ErrReasonConstraintsNotMatch);
            }
        }

        return null;
    }

    /// <summary>The pod's own constraints with <paramref name="action"/>, or the default constraints (with the derived selector) when it has none.</summary>
    private List<SpreadConstraint> Constraints(V1Pod pod, string action)
    {
        if (pod.Spec?.TopologySpreadConstraints is { Count: > 0 } own)
        {
            return SpreadConstraint.From(own, pod.Metadata.Labels, action);
        }

        var defaults = SpreadConstraint.From(_defaultConstraints, pod.Metadata.Labels, action);
        if (defaults.Count == 0)
        {
            return defaults;
        }

        var selector = DefaultSelector(pod);
        if (selector is null)
        {
            return [];
        }

        return [.. defaults.Select(c => c with { Selector = selector })];
    }

    /// <summary>
    /// Upstream's <c>helper.DefaultSelector</c>: the merged selectors of the Services selecting the pod, plus its
    /// controlling ReplicationController's selector or ReplicaSet's / StatefulSet's requirements; null when empty.
    /// </summary>
    internal V1LabelSelector? DefaultSelector(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "";
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new List<V1LabelSelectorRequirement>();
        foreach (var svc in _cluster.Services(ns))
        {
            if (svc.Spec?.Selector is { Count: > 0 } sel && Matching.Matches(new V1LabelSelector { MatchLabels = sel }, pod.Metadata.Labels))
            {
                foreach (var (k, v) in sel)
                {
                    set[k] = v;
                }
            }
        }

        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        switch (owner?.ApiVersion, owner?.Kind)
        {
            case ("v1", "ReplicationController"):
                if (_cluster.ReplicationControllers(ns).FirstOrDefault(r => r.Metadata.Name == owner.Name)?.Spec?.Selector is { } rcSel)
                {
                    foreach (var (k, v) in rcSel)
                    {
                        set[k] = v;
                    }
                }

                break;
            case ("apps/v1", "ReplicaSet"):
                AddRequirements(_cluster.ReplicaSets(ns).FirstOrDefault(r => r.Metadata.Name == owner.Name)?.Spec?.Selector, expressions);
                break;
            case ("apps/v1", "StatefulSet"):
                AddRequirements(_cluster.StatefulSets(ns).FirstOrDefault(r => r.Metadata.Name == owner.Name)?.Spec?.Selector, expressions);
                break;
        }

        return set.Count == 0 && expressions.Count == 0 ? null : new V1LabelSelector { MatchLabels = set, MatchExpressions = expressions };
    }

    private static void AddRequirements(V1LabelSelector? selector, List<V1LabelSelectorRequirement> into)
    {
        foreach (var (k, v) in selector?.MatchLabels ?? new Dictionary<string, string>())
        {
            into.Add(new V1LabelSelectorRequirement { Key = k, OperatorProperty = "In", Values = [v] });
        }

        into.AddRange(selector?.MatchExpressions ?? []);
    }

    private sealed class FilterState(IReadOnlyList<SpreadConstraint> constraints, Dictionary<string, int>[] counts)
    {
        public IReadOnlyList<SpreadConstraint> Constraints { get; } = constraints;

        public Dictionary<string, int>[] Counts { get; } = counts;
    }
}
