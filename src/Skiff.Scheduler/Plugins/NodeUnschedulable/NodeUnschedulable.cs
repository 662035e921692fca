using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodeUnschedulable;

/// <summary>
/// Upstream's <c>NodeUnschedulable</c>: a cordoned node (<c>spec.unschedulable</c>) fits only pods that tolerate the
/// taint <c>node.kubernetes.io/unschedulable:NoSchedule</c>.
/// </summary>
internal sealed class NodeUnschedulable : IFilterPlugin
{
    public const string PluginName = "NodeUnschedulable";
    public const string ErrReasonUnschedulable = "node(s) were unschedulable";
    private static readonly V1Taint Taint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node) =>
        node.Node.Spec?.Unschedulable == true && !Matching.Tolerates(pod.Spec?.Tolerations, Taint) ? Status.Unresolvable(ErrReasonUnschedulable) : null;
}
