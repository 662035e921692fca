using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// Upstream's <c>PodTopologySpread</c> scoring (<c>whenUnsatisfiable: ScheduleAnyway</c>). PreScore: feasible nodes
/// lacking a topology key are ignored (only for the pod's own constraints; with the system defaults a node without a
/// zone still spreads by hostname); every feasible domain then counts the matching pods over all included nodes of
/// the snapshot; each constraint weighs by <c>log(domains + 2)</c>. Score: Σ count × weight + (maxSkew − 1), rounded.
/// NormalizeScore: 100 × (max + min − score) / max, 100 when max is 0, and 0 for ignored nodes.
/// </summary>
internal sealed partial class PodTopologySpread : IPreScorePlugin, IScorePlugin
{
    private const string ScoreStateKey = "PreScore" + PluginName;

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var all = state.AllNodes ?? nodes;
        if (nodes.Count == 0 || all.Count == 0)
        {
            return Status.Skip;
        }

        var constraints = Constraints(pod, "ScheduleAnyway");
        if (constraints.Count == 0)
        {
            return Status.Skip;
        }

        var requireAllTopologies = pod.Spec?.TopologySpreadConstraints is { Count: > 0 } || !_systemDefaulted;
        var ignored = new HashSet<string>(StringComparer.Ordinal);

        // Per constraint, its domains (topology values) among the feasible nodes and their matching pods; hostname
        // domains are counted per node in Score, so they have none here.
        var domains = new Dictionary<string, long>[constraints.Count];
        for (var i = 0; i < constraints.Count; i++)
        {
            domains[i] = new Dictionary<string, long>(StringComparer.Ordinal);
        }

        foreach (var node in nodes)
        {
            var labels = node.Node.Metadata.Labels;
            if (requireAllTopologies && !SpreadConstraint.HasAllKeys(labels, constraints))
            {
                ignored.Add(node.Name);
                continue;
            }

            for (var i = 0; i < constraints.Count; i++)
            {
                if (!constraints[i].IsHostname)
                {
                    domains[i].TryAdd(ValueOf(labels, constraints[i].TopologyKey), 0);
                }
            }
        }

        var weights = new double[constraints.Count];
        for (var i = 0; i < constraints.Count; i++)
        {
            var size = constraints[i].IsHostname ? nodes.Count - ignored.Count : domains[i].Count;
            weights[i] = Math.Log(size + 2);
        }

        var ns = pod.Metadata.NamespaceProperty ?? "";
        if (constraints.Any(c => !c.IsHostname))
        {
            foreach (var node in all)
            {
                var labels = node.Node.Metadata.Labels;
                if (labels is null || (requireAllTopologies && !SpreadConstraint.HasAllKeys(labels, constraints)))
                {
                    continue;
                }

                for (var i = 0; i < constraints.Count; i++)
                {
                    // As upstream's processAllNode: a node without the key counts for no domain (so with the system
                    // defaults, nodes without a zone are not walked pod by pod), and hostname domains are counted in Score.
                    var c = constraints[i];
                    if (c.IsHostname || !labels.TryGetValue(c.TopologyKey, out var value))
                    {
                        continue;
                    }

                    if (domains[i].TryGetValue(value, out var count) && c.Includes(pod, node.Node))
                    {
                        domains[i][value] = count + c.Count(node.Pods, ns);
                    }
                }
            }
        }

        state.Write(ScoreStateKey, new ScoreState(constraints, ignored, domains, weights, [.. nodes.Select(n => n.Name)]));
        return null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var s = state.Read<ScoreState>(ScoreStateKey);
        if (s is null || s.Ignored.Contains(node.Name))
        {
            return 0;
        }

        var labels = node.Node.Metadata.Labels;
        var ns = pod.Metadata.NamespaceProperty ?? "";
        double score = 0;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (labels is null || !labels.TryGetValue(c.TopologyKey, out var value))
            {
                continue;
            }

            long count = c.IsHostname ? c.Count(node.Pods, ns) : s.Domains[i].GetValueOrDefault(value);
            score += (count * s.Weights[i]) + (c.MaxSkew - 1);
        }

        return (long)Math.Round(score, MidpointRounding.AwayFromZero);
    }

    public void NormalizeScore(CycleState state, V1Pod pod, long[] scores)
    {
        var s = state.Read<ScoreState>(ScoreStateKey);
        if (s is null)
        {
            return;
        }

        var min = long.MaxValue;
        long max = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (IsIgnored(s, i))
            {
                continue;
            }

            min = Math.Min(min, scores[i]);
            max = Math.Max(max, scores[i]);
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = IsIgnored(s, i) ? 0 : max == 0 ? IScorePlugin.MaxNodeScore : IScorePlugin.MaxNodeScore * (max + min - scores[i]) / max;
        }
    }

    private static string ValueOf(IDictionary<string, string>? labels, string key) => labels is not null && labels.TryGetValue(key, out var v) ? v : "";

    private static bool IsIgnored(ScoreState s, int i) => i < s.NodeNames.Count && s.Ignored.Contains(s.NodeNames[i]);

    private sealed record ScoreState(IReadOnlyList<SpreadConstraint> Constraints, HashSet<string> Ignored, Dictionary<string, long>[] Domains, double[] Weights, IReadOnlyList<string> NodeNames);
}
