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
        var pairs = new Dictionary<(string Key, string Value), long>();
        var sizes = new int[constraints.Count];
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
                var key = constraints[i].TopologyKey;
                if (key == LabelHostname)
                {
                    continue;
                }

                var pair = (key, ValueOf(labels, key));
                if (pairs.TryAdd(pair, 0))
                {
                    sizes[i]++;
                }
            }
        }

        var weights = new double[constraints.Count];
        for (var i = 0; i < constraints.Count; i++)
        {
            var size = constraints[i].TopologyKey == LabelHostname ? nodes.Count - ignored.Count : sizes[i];
            weights[i] = Math.Log(size + 2);
        }

        var ns = pod.Metadata.NamespaceProperty ?? "";
        foreach (var node in all)
        {
            var labels = node.Node.Metadata.Labels;
            if (requireAllTopologies && !SpreadConstraint.HasAllKeys(labels, constraints))
            {
                continue;
            }

            foreach (var c in constraints)
            {
                // As upstream's processAllNode: a node without the key counts for no domain (so with the system
                // defaults, nodes without a zone are not walked pod by pod), and hostname domains are counted in Score.
                if (c.TopologyKey == LabelHostname || labels is null || !labels.TryGetValue(c.TopologyKey, out var value))
                {
                    continue;
                }

                var pair = (c.TopologyKey, value);
                if (pairs.TryGetValue(pair, out var count) && c.Includes(pod, node.Node))
                {
                    pairs[pair] = count + c.Count(node.Pods, ns);
                }
            }
        }

        state.Write(ScoreStateKey, new ScoreState(constraints, ignored, pairs, weights, [.. nodes.Select(n => n.Name)]));
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

            long count = c.TopologyKey == LabelHostname ? c.Count(node.Pods, ns) : s.Pairs.GetValueOrDefault((c.TopologyKey, value));
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

    private sealed record ScoreState(IReadOnlyList<SpreadConstraint> Constraints, HashSet<string> Ignored, Dictionary<(string, string), long> Pairs, double[] Weights, IReadOnlyList<string> NodeNames);
}
