using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Says whether the pod fits one node (upstream <c>FilterPlugin</c>); null means it fits.</summary>
public interface IFilterPlugin : IPlugin
{
    Status? Filter(CycleState state, V1Pod pod, NodeInfo node);
}
