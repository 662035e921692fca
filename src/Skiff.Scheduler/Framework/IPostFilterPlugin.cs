using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// Runs when no node fits (upstream <c>PostFilterPlugin</c>, e.g. preemption). Returns the node nominated for the pod
/// (or null) and a status whose message is appended to the <c>FailedScheduling</c> message.
/// </summary>
public interface IPostFilterPlugin : IPlugin
{
    Task<(string? NominatedNode, Status? Status)> PostFilterAsync(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes,
        IReadOnlyDictionary<string, Status> nodeStatuses, CancellationToken ct);
}
