using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// Upstream's <c>NodeAffinity</c>. Filter: the node must match <c>spec.nodeSelector</c> and the required node affinity
/// (terms ORed). Score: the summed weights of the preferred terms the node matches, normalized to 0..100.
/// </summary>
internal sealed class NodeAffinity : IFilterPlugin, IScorePlugin
{
    public const string PluginName = "NodeAffinity";
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var labels = node.Node.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var (k, v) in pod.Spec?.NodeSelector ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return Status.Unresolvable(ErrReasonPod);
            }
        }

        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is not null && !Matching.Matches(required, node.Node) ? Status.Unresolvable(ErrReasonPod) : null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node) =>
        (pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            .Where(t => t.Weight != 0 && Matching.Matches(t.Preference, node.Node))
            .Sum(t => (long)t.Weight);

    public void NormalizeScore(CycleState state, V1Pod pod, long[] scores) => Normalize.Default(scores, reverse: false);
}
