using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Upstream's <c>InterPodAffinity</c> scoring (<c>scoring.go</c>). PreScore sums, per topology pair, the weights of:
/// the incoming pod's preferred affinity terms (+) and anti-affinity terms (−) matched by existing pods; existing pods'
/// required affinity terms matched by the incoming pod (+ <see cref="HardPodAffinityWeight"/>); existing pods' preferred
/// affinity (+) and anti-affinity (−) terms matched by the incoming pod. A node scores the sum over its topology pairs;
/// NormalizeScore maps [min, max] linearly onto [0, 100] (all 0 when max = min).
/// </summary>
internal sealed partial class InterPodAffinity : IPreScorePlugin, IScorePlugin
{
    private const string ScoreStateKey = "PreScore" + PluginName;

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        if (nodes.Count == 0)
        {
            return Status.Skip;
        }

        var preferredAffinity = AffinityTerm.PreferredAffinity(pod);
        var preferredAnti = AffinityTerm.PreferredAntiAffinity(pod);
        var hasConstraints = preferredAffinity.Count > 0 || preferredAnti.Count > 0;
        var scores = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);

        // Upstream walks every node of the snapshot, not only the feasible ones: a pod on an infeasible node still
        // shapes its topology domain. A pod without preferred terms only meets existing pods' terms: only the nodes
        // holding pods with affinity count (upstream's HavePodsWithAffinityList).
        foreach (var node in hasConstraints ? state.AllNodes ?? nodes : state.NodesWithAffinityPods ?? state.AllNodes ?? nodes)
        {
            var labels = node.Node.Metadata.Labels;
            if (labels is null || labels.Count == 0)
            {
                continue;
            }

            foreach (var existing in hasConstraints ? node.Pods : node.PodsWithAffinity)
            {
                Process(scores, preferredAffinity, existing, labels, 1);
                Process(scores, preferredAnti, existing, labels, -1);
                if (HardPodAffinityWeight > 0)
                {
                    foreach (var t in AffinityTerm.RequiredAffinity(existing))
                    {
                        Process(scores, t, HardPodAffinityWeight, pod, labels, 1);
                    }
                }

                Process(scores, AffinityTerm.PreferredAffinity(existing), pod, labels, 1);
                Process(scores, AffinityTerm.PreferredAntiAffinity(existing), pod, labels, -1);
            }
        }

        if (scores.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(ScoreStateKey, new ScoreState(scores));
        return null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var s = state.Read<ScoreState>(ScoreStateKey);
        var labels = node.Node.Metadata.Labels;
        if (s is null || labels is null)
        {
            return 0;
        }

        long score = 0;
        foreach (var (key, values) in s.TopologyScore)
        {
            if (labels.TryGetValue(key, out var v))
            {
                score += values.GetValueOrDefault(v);
            }
        }

        return score;
    }

    public void NormalizeScore(CycleState state, V1Pod pod, long[] scores)
    {
        if (state.Read<ScoreState>(ScoreStateKey) is null || scores.Length == 0)
        {
            return;
        }

        var min = scores.Min();
        var diff = scores.Max() - min;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = diff > 0 ? (long)(IScorePlugin.MaxNodeScore * ((double)(scores[i] - min) / diff)) : 0;
        }
    }

    private void Process(Dictionary<string, Dictionary<string, long>> scores, IReadOnlyList<AffinityTerm> terms, V1Pod target, IDictionary<string, string> labels, int multiplier)
    {
        foreach (var t in terms)
        {
            Process(scores, t, t.Weight, target, labels, multiplier);
        }
    }

    private void Process(Dictionary<string, Dictionary<string, long>> scores, AffinityTerm term, int weight, V1Pod target, IDictionary<string, string> labels, int multiplier)
    {
        if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(target, _cluster))
        {
            if (!scores.TryGetValue(term.TopologyKey, out var values))
            {
                scores[term.TopologyKey] = values = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            values[value] = values.GetValueOrDefault(value) + ((long)weight * multiplier);
        }
    }

    private sealed class ScoreState(Dictionary<string, Dictionary<string, long>> topologyScore)
    {
        public Dictionary<string, Dictionary<string, long>> TopologyScore { get; } = topologyScore;
    }
}
