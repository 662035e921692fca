using Skiff.Cri.V1;

namespace Skiff.Kubelet.Pods;

/// <summary>One container instance of a pod as the runtime reports it.</summary>
internal sealed record Instance(string Id, string Name, int Attempt, ContainerState State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    int ExitCode, string Reason, string Message, string ImageRef)
{
    public static Instance From(ContainerStatus s) => new(
        s.Id,
        s.Metadata.Name,
        (int)s.Metadata.Attempt,
        s.State,
        s.StartedAt > 0 ? DateTimeOffset.UnixEpoch.AddTicks(s.StartedAt / 100) : null,
        s.FinishedAt > 0 ? DateTimeOffset.UnixEpoch.AddTicks(s.FinishedAt / 100) : null,
        s.ExitCode,
        s.Reason,
        s.Message,
        s.ImageRef);

    public bool Exited => State == ContainerState.ContainerExited;
}
