using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.TaintToleration;

/// <summary>
/// Upstream's <c>TaintToleration</c>. Filter: the pod must tolerate every <c>NoSchedule</c> and <c>NoExecute</c> taint
/// (the first untolerated one is reported as <c>node(s) had untolerated taint {key: value}</c>). Score: the number of
/// untolerated <c>PreferNoSchedule</c> taints, normalized reversed (fewest gets 100).
/// </summary>
internal sealed class TaintToleration : IFilterPlugin, IScorePlugin
{
    public const string PluginName = "TaintToleration";

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var taint in node.Node.Spec?.Taints ?? [])
        {
            if (taint.Effect is "NoSchedule" or "NoExecute" && !Matching.Tolerates(pod.Spec?.Tolerations, taint))
            {
                return Status.Unresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
            }
        }

        return null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (node.Node.Spec?.Taints is not { Count: > 0 })
        {
            return 0;
        }

        var tolerations = (pod.Spec?.Tolerations ?? []).Where(t => string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule").ToList();
        return (node.Node.Spec?.Taints ?? []).Count(t => t.Effect == "PreferNoSchedule" && !Matching.Tolerates(tolerations, t));
    }

    public void NormalizeScore(CycleState state, V1Pod pod, long[] scores) => Normalize.Default(scores, reverse: true);
}
