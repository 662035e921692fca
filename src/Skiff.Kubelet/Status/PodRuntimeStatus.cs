using k8s.Models;

namespace Skiff.Kubelet.Status;

/// <summary>
/// What a container runtime reports about one pod, the input of <see cref="PodStatusBuilder"/>: the containers'
/// statuses (state, lastState, restartCount, ready), whether the sandbox is up, and the pod's and host's IPs. The hollow
/// runtime simulates these; the real kubelet (issue 12) reads them from CRI.
/// </summary>
public sealed record PodRuntimeStatus
{
    /// <summary>The init containers' statuses, in spec order (missing ones are reported as waiting).</summary>
    public IReadOnlyList<V1ContainerStatus> InitContainerStatuses { get; init; } = [];

    /// <summary>The app containers' statuses, in spec order (missing ones are reported as waiting).</summary>
    public IReadOnlyList<V1ContainerStatus> ContainerStatuses { get; init; } = [];

    /// <summary>True once the pod sandbox (its network) exists: drives <c>PodReadyToStartContainers</c>.</summary>
    public bool SandboxReady { get; init; }

    /// <summary>The pod's IPs, primary first (empty until the sandbox has one).</summary>
    public IReadOnlyList<string> PodIPs { get; init; } = [];

    /// <summary>The node's IPs, primary first.</summary>
    public IReadOnlyList<string> HostIPs { get; init; } = [];

    /// <summary>When the kubelet accepted the pod; null keeps the pod's existing startTime (or now).</summary>
    public DateTime? StartTime { get; init; }
}
