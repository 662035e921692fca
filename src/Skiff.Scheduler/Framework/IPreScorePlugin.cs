using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Runs once before scoring with the feasible nodes (upstream <c>PreScorePlugin</c>); <see cref="Status.Skip"/> skips this plugin's Score.</summary>
public interface IPreScorePlugin : IPlugin
{
    Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes);
}
