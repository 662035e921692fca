namespace Skiff.Controllers.Job;

/// <summary>Tunables of the Job controller; the defaults are upstream's.</summary>
public sealed record JobControllerOptions
{
    /// <summary>Upstream's <c>ConcurrentJobSyncs</c> default.</summary>
    public int Workers { get; init; } = 5;

    /// <summary>Upstream's <c>syncJobBatchPeriod</c>: pod events and status updates sync a Job this much later, batched.</summary>
    public TimeSpan SyncBatchPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upstream's <c>DefaultJobPodFailureBackOff</c>: the delay before replacing a failed pod, doubled per further failure.</summary>
    public TimeSpan PodFailureBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upstream's <c>MaxJobPodFailureBackOff</c> (10 minutes in the 1.32 code; the documentation still says 6).</summary>
    public TimeSpan MaxPodFailureBackoff { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Upstream's <c>MaxUncountedPods</c>: the most pod uids <c>status.uncountedTerminatedPods</c> holds.</summary>
    public int MaxUncountedPods { get; init; } = 500;

    /// <summary>Upstream's <c>MaxPodCreateDeletePerSync</c>.</summary>
    public int MaxPodCreateDeletePerSync { get; init; } = 500;
}
