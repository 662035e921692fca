using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Upstream's <c>NodeResourcesFit</c>. Filter: the pod's requests (containers, init containers, overhead) plus what the
/// node's pods request must fit its allocatable (<c>Too many pods</c>, <c>Insufficient cpu</c>, …). Score, over cpu
/// and memory with weight 1 each and non-zero requests: LeastAllocated (default) <c>(alloc − req)·100/alloc</c>,
/// MostAllocated <c>req·100/alloc</c>, or RequestedToCapacityRatio along a utilization→score shape.
/// </summary>
internal sealed class NodeResourcesFit(ScoringStrategy strategy = ScoringStrategy.LeastAllocated,
    IReadOnlyList<(long Utilization, long Score)>? shape = null) : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesFit";
    private const string StateKey = "PreFilter" + PluginName;
    private const string ScoreStateKey = "PreScore" + PluginName;
    private static readonly string[] ScoredResources = ["cpu", "memory"];

    /// <summary>Upstream's default RequestedToCapacityRatio shape (0% → 10, 100% → 0, scaled to 0..100).</summary>
    private readonly IReadOnlyList<(long Utilization, long Score)> _shape = shape ?? [(0, 10), (100, 0)];

    public string Name => PluginName;

    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(StateKey, Resource.PodRequests(pod));
        return null;
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var req = state.Read<Resource>(StateKey) ?? Resource.PodRequests(pod);
        if (Fits(req, node))
        {
            return null;
        }

        var reasons = Insufficient(req, node);
        return reasons.Count == 0 ? null : Status.Unschedulable([.. reasons]);
    }

    /// <summary>
    /// True when <see cref="Insufficient"/> would find no reason, without building the list: the filter's common
    /// answer, once per node per cycle.
    /// </summary>
    private static bool Fits(Resource req, NodeInfo node)
    {
        if (node.Pods.Count + 1 > node.Allocatable.AllowedPodNumber
            || (req.MilliCpu > 0 && req.MilliCpu > node.Allocatable.MilliCpu - node.Requested.MilliCpu)
            || (req.Memory > 0 && req.Memory > node.Allocatable.Memory - node.Requested.Memory)
            || (req.EphemeralStorage > 0 && req.EphemeralStorage > node.Allocatable.EphemeralStorage - node.Requested.EphemeralStorage))
        {
            return false;
        }

        foreach (var (name, v) in req.Scalar)
        {
            if (v > 0 && v > node.Allocatable.Get(name) - node.Requested.Get(name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Upstream's <c>fitsRequest</c>: every reason why <paramref name="req"/> does not fit.</summary>
    public static List<string> Insufficient(Resource req, NodeInfo node)
    {
        var reasons = new List<string>();
        if (node.Pods.Count + 1 > node.Allocatable.AllowedPodNumber)
        {
            reasons.Add("Too many pods");
        }

        if (req.MilliCpu == 0 && req.Memory == 0 && req.EphemeralStorage == 0 && req.Scalar.Values.All(v => v == 0))
        {
            return reasons;
        }

        if (req.MilliCpu > 0 && req.MilliCpu > node.Allocatable.MilliCpu - node.Requested.MilliCpu)
        {
            reasons.Add("Insufficient cpu");
        }

        if (req.Memory > 0 && req.Memory > node.Allocatable.Memory - node.Requested.Memory)
        {
            reasons.Add("Insufficient memory");
        }

        if (req.EphemeralStorage > 0 && req.EphemeralStorage > node.Allocatable.EphemeralStorage - node.Requested.EphemeralStorage)
        {
            reasons.Add("Insufficient ephemeral-storage");
        }

        foreach (var (name, v) in req.Scalar.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (v > 0 && v > node.Allocatable.Get(name) - node.Requested.Get(name))
            {
                reasons.Add("Insufficient " + name);
            }
        }

        return reasons;
    }

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(ScoreStateKey, Resource.PodRequests(pod, nonZero: true));
        return null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var podReq = state.Read<Resource>(ScoreStateKey) ?? Resource.PodRequests(pod, nonZero: true);
        long sum = 0, weights = 0;
        foreach (var r in ScoredResources)
        {
            var alloc = node.Allocatable.Get(r);
            var requested = node.NonZeroRequested.Get(r) + podReq.Get(r);
            if (alloc == 0)
            {
                continue;
            }

            sum += strategy switch
            {
                ScoringStrategy.MostAllocated => requested > alloc ? 0 : requested * IScorePlugin.MaxNodeScore / alloc,
                ScoringStrategy.RequestedToCapacityRatio => RatioScore(requested * 100 / alloc),
                _ => requested > alloc ? 0 : (alloc - requested) * IScorePlugin.MaxNodeScore / alloc,
            };
            weights++;
        }

        return weights == 0 ? 0 : sum / weights;
    }

    /// <summary>Upstream's <c>helper.BuildBrokenLinearFunction</c> over the shape, scores scaled ×10 to 0..100.</summary>
    private long RatioScore(long utilization)
    {
        var points = _shape.Select(p => (p.Utilization, Score: p.Score * (IScorePlugin.MaxNodeScore / 10))).ToList();
        for (var i = 0; i < points.Count; i++)
        {
            if (utilization <= points[i].Utilization)
            {
                if (i == 0)
                {
                    return points[0].Score;
                }

                var (x0, y0) = points[i - 1];
                var (x1, y1) = points[i];
                return y0 + ((y1 - y0) * (utilization - x0) / (x1 - x0));
            }
        }

        return points[^1].Score;
    }
}
