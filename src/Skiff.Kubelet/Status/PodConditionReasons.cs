namespace Skiff.Kubelet.Status;

/// <summary>The pod condition types and reasons the kubelet writes, spelled as upstream's <c>pkg/kubelet/status</c>.</summary>
public static class PodConditionReasons
{
    public const string PodScheduled = "PodScheduled";
    public const string PodReadyToStartContainers = "PodReadyToStartContainers";
    public const string Initialized = "Initialized";
    public const string ContainersReady = "ContainersReady";
    public const string Ready = "Ready";

    /// <summary>Initialized=False: some init container has not completed.</summary>
    public const string ContainersNotInitialized = "ContainersNotInitialized";

    /// <summary>ContainersReady/Ready=False: some container is not ready.</summary>
    public const string ContainersNotReady = "ContainersNotReady";

    /// <summary>Ready=False: a readiness gate's condition is missing or not True.</summary>
    public const string ReadinessGatesNotReady = "ReadinessGatesNotReady";

    /// <summary>The reason on Initialized/ContainersReady/Ready once the pod succeeded.</summary>
    public const string PodCompleted = "PodCompleted";
}
