namespace Skiff.Controllers.PodGC;

/// <summary>The pod garbage collector's knobs (upstream's kube-controller-manager flags and constants).</summary>
public sealed record PodGcOptions
{
    /// <summary>
    /// Upstream's <c>--terminated-pod-gc-threshold</c> (12500): terminated pods beyond it are deleted, oldest first;
    /// 0 or less disables that part.
    /// </summary>
    public int TerminatedPodThreshold { get; init; } = 12500;

    /// <summary>Upstream's <c>gcCheckPeriod</c> (20 s): how often a pass runs.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Upstream's <c>quarantineTime</c> (40 s): how long a missing node must stay missing before its pods go.</summary>
    public TimeSpan Quarantine { get; init; } = TimeSpan.FromSeconds(40);
}
