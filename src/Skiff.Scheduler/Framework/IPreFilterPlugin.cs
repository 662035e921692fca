using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Runs once per cycle before filtering; a rejection fails the pod on every node (upstream <c>PreFilterPlugin</c>). Returns null on success, <see cref="Status.Skip"/> to skip this plugin's Filter.</summary>
public interface IPreFilterPlugin : IPlugin
{
    Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes);
}
