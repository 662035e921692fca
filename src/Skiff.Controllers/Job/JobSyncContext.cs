using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>The state one sync of a Job works on (upstream's <c>syncJobCtx</c>).</summary>
internal sealed class JobSyncContext
{
    public JobSyncContext(string key, V1Job job, List<V1Pod> pods, List<V1Pod> activePods, HashSet<string> expectedRemovedFinalizers)
    {
        Key = key;
        Job = job;
        Pods = pods;
        ActivePods = activePods;
        ExpectedRemovedFinalizers = expectedRemovedFinalizers;
        var uncounted = job.Status.UncountedTerminatedPods;
        UncountedSucceeded = new HashSet<string>(uncounted?.Succeeded ?? [], StringComparer.Ordinal);
        UncountedFailed = new HashSet<string>(uncounted?.Failed ?? [], StringComparer.Ordinal);
    }

    /// <summary>The Job's <c>namespace/name</c>.</summary>
    public string Key { get; }

    /// <summary>The Job being synced (a copy the sync writes to, replaced by what each status update returns).</summary>
    public V1Job Job { get; set; }

    /// <summary>Every pod the Job owns, adopted ones included.</summary>
    public List<V1Pod> Pods { get; }

    /// <summary>The owned pods neither terminal nor being deleted.</summary>
    public List<V1Pod> ActivePods { get; }

    /// <summary>Pods whose finalizer removal is in flight: already counted.</summary>
    public HashSet<string> ExpectedRemovedFinalizers { get; }

    /// <summary>status.uncountedTerminatedPods.succeeded at the start of the sync.</summary>
    public HashSet<string> UncountedSucceeded { get; }

    /// <summary>status.uncountedTerminatedPods.failed at the start of the sync.</summary>
    public HashSet<string> UncountedFailed { get; }

    /// <summary>The condition the Job is heading for (interim or terminal), or null.</summary>
    public V1JobCondition? FinishedCondition { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public int Ready { get; set; }

    public int Terminating { get; set; }

    public OrderedIntervals PrevSucceededIndexes { get; set; } = OrderedIntervals.Empty;

    public OrderedIntervals SucceededIndexes { get; set; } = OrderedIntervals.Empty;

    /// <summary>Set only with backoffLimitPerIndex.</summary>
    public OrderedIntervals? FailedIndexes { get; set; }

    public BackoffRecord NewBackoffRecord { get; set; } = new("", 0, null);

    /// <summary>Per index, the failed pod kept (finalizer held) until its replacement carries its failure count.</summary>
    public Dictionary<int, V1Pod> PodsWithDelayedDeletionPerIndex { get; set; } = [];
}
