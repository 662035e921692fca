using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Reserves resources for the pod on the chosen node, and releases them when a later step fails (upstream <c>ReservePlugin</c>).</summary>
public interface IReservePlugin : IPlugin
{
    Status? Reserve(CycleState state, V1Pod pod, string nodeName);

    void Unreserve(CycleState state, V1Pod pod, string nodeName);
}
