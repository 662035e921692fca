using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodeResourcesBalancedAllocation;

/// <summary>
/// Upstream's <c>NodeResourcesBalancedAllocation</c>: favours nodes whose cpu and memory would be used in equal
/// fractions: <c>(1 − std)·100</c> over the requested/allocatable fractions (capped at 1); for two resources std is
/// half their difference. Skipped for pods that request nothing (best effort).
/// </summary>
internal sealed class NodeResourcesBalancedAllocation : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesBalancedAllocation";
    private const string StateKey = "PreScore" + PluginName;
    private static readonly string[] Resources = ["cpu", "memory"];

    public string Name => PluginName;

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var req = Resource.PodRequests(pod);
        state.Write(StateKey, req);
        return Resources.All(r => req.Get(r) == 0) ? Status.Skip : null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var podReq = state.Read<Resource>(StateKey) ?? Resource.PodRequests(pod);
        var fractions = new List<double>();
        foreach (var r in Resources)
        {
            var alloc = node.Allocatable.Get(r);
            if (alloc == 0)
            {
                continue;
            }

            fractions.Add(Math.Min(1.0, (double)(node.Requested.Get(r) + podReq.Get(r)) / alloc));
        }

        double std = 0;
        if (fractions.Count == 2)
        {
            std = Math.Abs((fractions[0] - fractions[1]) / 2);
        }
        else if (fractions.Count > 2)
        {
            var mean = fractions.Average();
            std = Math.Sqrt(fractions.Sum(f => (f - mean) * (f - mean)) / fractions.Count);
        }

        return (long)((1 - std) * IScorePlugin.MaxNodeScore);
    }
}
