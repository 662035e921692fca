using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// Upstream's <c>NodeAffinity</c>. Filter: the node must match <c>spec.nodeSelector</c> and the required node affinity
/// (terms ORed). Score: the summed weights of the preferred terms the node matches, normalized to 0..100. As upstream,
/// PreFilter and PreScore answer Skip for a pod with nothing to filter (no nodeSelector, no required affinity) or to
/// score (no preferred terms), so neither runs per node.
/// </summary>
internal sealed class NodeAffinity : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeAffinity";
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    public string Name => PluginName;

    /// <summary>Upstream's PreFilter: Skip when the pod has no nodeSelector and no required node affinity.</summary>
    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes) =>
        pod.Spec?.NodeSelector is null && pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is null ? Status.Skip : null;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (pod.Spec?.NodeSelector is { Count: > 0 } selector)
        {
            var labels = node.Node.Metadata.Labels;
            foreach (var (k, v) in selector)
            {
                if (labels is null || !labels.TryGetValue(k, out var actual) || actual != v)
                {
                    return Status.Unresolvable(ErrReasonPod);
                }
            }
        }

        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is not null && !Matching.Matches(required, node.Node) ? Status.Unresolvable(ErrReasonPod) : null;
    }

    /// <summary>Upstream's PreScore: Skip when the pod has no preferred node affinity terms.</summary>
    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes) =>
        pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution is not { Count: > 0 } ? Status.Skip : null;

    public long Score(CycleState state, V1Pod pod, NodeInfo node) =>
        (pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            .Where(t => t.Weight != 0 && Matching.Matches(t.Preference, node.Node))
            .Sum(t => (long)t.Weight);

    public void NormalizeScore(CycleState state, V1Pod pod, long[] scores) => Normalize.Default(scores, reverse: false);
}
