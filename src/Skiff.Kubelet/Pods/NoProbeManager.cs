using k8s.Models;
using Skiff.Kubelet.Prober;

namespace Skiff.Kubelet.Pods;

/// <summary>The stand-in prober until the real one is wired in: every running container is started and ready; no events.</summary>
public sealed class NoProbeManager : IProbeManager
{
#pragma warning disable CS0067 // Never raised by design.
    public event Action<ProbeFailure>? Unhealthy;

    public event Action<string>? Changed;
#pragma warning restore CS0067

    public void Sync(V1Pod pod, string? podIp, IReadOnlyList<RunningContainer> running)
    {
    }

    public void Remove(string podUid)
    {
    }

    public bool IsReady(string podUid, string containerName) => true;

    public bool IsStarted(string podUid, string containerName) => true;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
