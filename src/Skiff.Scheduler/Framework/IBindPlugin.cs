using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Binds the pod to the node (upstream <c>BindPlugin</c>); <see cref="Status.Skip"/> passes to the next binder.</summary>
public interface IBindPlugin : IPlugin
{
    Task<Status?> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken ct);
}
