using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Runs before binding, in the binding cycle (upstream <c>PreBindPlugin</c>).</summary>
public interface IPreBindPlugin : IPlugin
{
    Task<Status?> PreBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken ct);
}
