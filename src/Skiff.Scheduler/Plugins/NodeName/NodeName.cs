using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodeName;

/// <summary>Upstream's <c>NodeName</c>: a pod that names a node (<c>spec.nodeName</c>) fits only that node.</summary>
internal sealed class NodeName : IFilterPlugin
{
    public const string PluginName = "NodeName";
    public const string ErrReason = "node(s) didn't match the requested node name";

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node) =>
        string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Spec.NodeName == node.Name ? null : Status.Unresolvable(ErrReason);
}
