using System.Globalization;
using k8s.Models;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Job;

/// <summary>The Indexed completion mode (upstream's <c>indexed_job_utils.go</c>).</summary>
internal static class IndexedJobs
{
    /// <summary>
    /// Upstream's <c>calculateSucceededIndexes</c>: the indexes of status.completedIndexes, and those plus the valid
    /// indexes of succeeded pods still carrying the tracking finalizer (not counted yet).
    /// </summary>
    public static (OrderedIntervals Previous, OrderedIntervals Current) SucceededIndexes(V1Job job, IEnumerable<V1Pod> pods)
    {
        var completions = job.Spec.Completions ?? 0;
        var prev = OrderedIntervals.Parse(job.Status.CompletedIndexes, completions);
        var fresh = new SortedSet<int>();
        foreach (var p in pods)
        {
            var ix = JobPods.CompletionIndex(p);
            if (JobPods.IsSucceeded(p) && ix != JobPods.UnknownIndex && ix < completions && JobPods.HasTrackingFinalizer(p))
            {
                fresh.Add(ix);
            }
        }

        return (prev, prev.WithOrderedIndexes(fresh));
    }

    /// <summary>Upstream's <c>calculateFailedIndexes</c>: status.failedIndexes plus the indexes that failed since.</summary>
    public static OrderedIntervals FailedIndexes(V1Job job, IEnumerable<V1Pod> pods)
    {
        var completions = job.Spec.Completions ?? 0;
        var prev = OrderedIntervals.Parse(job.Status.FailedIndexes, completions);
        var fresh = new SortedSet<int>();
        foreach (var p in pods)
        {
            var ix = JobPods.CompletionIndex(p);
            if (ix != JobPods.UnknownIndex && ix < completions && JobPods.HasTrackingFinalizer(p) && IsIndexFailed(job, p))
            {
                fresh.Add(ix);
            }
        }

        return prev.WithOrderedIndexes(fresh);
    }

    /// <summary>
    /// Whether the pod's failure fails its whole index: a FailIndex rule matched, or the failure counts and the
    /// index had already failed backoffLimitPerIndex times.
    /// </summary>
    public static bool IsIndexFailed(V1Job job, V1Pod pod)
    {
        if (!JobPods.IsFailed(pod, job))
        {
            return false;
        }

        var counted = true;
        if (job.Spec.PodFailurePolicy is not null)
        {
            var match = PodFailurePolicyMatch.Match(job.Spec.PodFailurePolicy, pod);
            if (match.Action == PodFailurePolicyMatch.FailIndex)
            {
                return true;
            }

            counted = match.CountFailed;
        }

        return counted && JobPods.IndexFailureCount(pod) >= job.Spec.BackoffLimitPerIndex;
    }

    /// <summary>
    /// Upstream's <c>firstPendingIndexes</c>: the first <paramref name="count"/> indexes below
    /// <paramref name="completions"/> that no active pod holds and that neither succeeded nor failed (nor, when only
    /// failed pods are replaced, a terminating pod holds).
    /// </summary>
    public static List<int> FirstPendingIndexes(JobSyncContext ctx, int count, int completions)
    {
        var result = new List<int>(Math.Max(count, 0));
        if (count <= 0)
        {
            return result;
        }

        var nonPending = ctx.SucceededIndexes.WithOrderedIndexes(Indexes(ctx.ActivePods));
        if (JobSpecs.OnlyReplaceFailedPods(ctx.Job))
        {
            nonPending = nonPending.WithOrderedIndexes(Indexes(ctx.Pods.Where(JobPods.IsTerminating)));
        }

        if (ctx.FailedIndexes is { } failed)
        {
            nonPending = nonPending.Merge(failed);
        }

        var candidate = 0;
        foreach (var (first, last) in nonPending.Intervals)
        {
            for (; candidate < completions && result.Count < count && candidate < first; candidate++)
            {
                result.Add(candidate);
            }

            candidate = Math.Max(candidate, last + 1);
        }

        for (; candidate < completions && result.Count < count; candidate++)
        {
            result.Add(candidate);
        }

        return result;
    }

    /// <summary>The distinct valid indexes of <paramref name="pods"/>, sorted.</summary>
    public static SortedSet<int> Indexes(IEnumerable<V1Pod> pods) =>
        new(pods.Select(JobPods.CompletionIndex).Where(i => i != JobPods.UnknownIndex));

    /// <summary>
    /// Upstream's <c>appendDuplicatedIndexPodsForRemoval</c>: of the active pods, those without an index or with an
    /// index out of range, and all but the best-ranked pod of each repeated index, are to be removed.
    /// </summary>
    public static (List<V1Pod> Remove, List<V1Pod> Left) DuplicatedIndexPodsForRemoval(IEnumerable<V1Pod> pods, int completions)
    {
        var remove = new List<V1Pod>();
        var left = new List<V1Pod>();
        foreach (var group in pods.GroupBy(JobPods.CompletionIndex).OrderBy(g => g.Key))
        {
            var same = group.ToList();
            if (group.Key == JobPods.UnknownIndex || group.Key >= completions)
            {
                remove.AddRange(same);
            }
            else if (same.Count == 1)
            {
                left.Add(same[0]);
            }
            else
            {
                var sorted = SortForRemoval(same);
                remove.AddRange(sorted.Take(sorted.Count - 1));
                left.Add(sorted[^1]);
            }
        }

        return (remove, left);
    }

    /// <summary>
    /// Upstream's <c>controller.ActivePods</c> order: the pod to remove first first (unassigned, then pending, not
    /// ready, ready for less time, more restarts, newer).
    /// </summary>
    public static IReadOnlyList<V1Pod> SortForRemoval(IReadOnlyList<V1Pod> pods) =>
        new ActivePodsWithRanks(pods, new int[pods.Count], null).Sorted();

    /// <summary>
    /// Upstream's <c>getPodsWithDelayedDeletionPerIndex</c>: per index that is neither succeeded, failed nor active,
    /// the last failed (uncounted) pod, whose finalizer stays until its replacement exists.
    /// </summary>
    public static Dictionary<int, V1Pod> PodsWithDelayedDeletionPerIndex(JobSyncContext ctx)
    {
        var active = Indexes(ctx.ActivePods);
        var completions = ctx.Job.Spec.Completions ?? 0;
        var result = new Dictionary<int, V1Pod>();
        foreach (var p in ctx.Pods)
        {
            var uid = p.Metadata.Uid;
            if (!JobPods.HasTrackingFinalizer(p) || ctx.ExpectedRemovedFinalizers.Contains(uid) || !JobPods.IsFailed(p, ctx.Job))
            {
                continue;
            }

            var ix = JobPods.CompletionIndex(p);
            if (ix == JobPods.UnknownIndex || ix >= completions || ctx.SucceededIndexes.Has(ix) || ctx.FailedIndexes?.Has(ix) == true || active.Contains(ix))
            {
                continue;
            }

            if (!result.TryGetValue(ix, out var last) ||
                (JobPods.IndexAbsoluteFailureCount(last) <= JobPods.IndexAbsoluteFailureCount(p) && JobPods.FinishedTime(p) >= JobPods.FinishedTime(last)))
            {
                result[ix] = p;
            }
        }

        return result;
    }

    /// <summary>Upstream's <c>getNewIndexFailureCounts</c>: the failure counts a replacement of <paramref name="replaced"/> carries.</summary>
    public static (int Failures, int Ignored) NewIndexFailureCounts(V1Job job, V1Pod? replaced)
    {
        if (replaced is null)
        {
            return (0, 0);
        }

        var failures = JobPods.IndexFailureCount(replaced);
        var ignored = JobPods.Int32Annotation(replaced, JobPods.IndexIgnoredFailureCountAnnotation);
        if (job.Spec.PodFailurePolicy is null || PodFailurePolicyMatch.Match(job.Spec.PodFailurePolicy, replaced).CountFailed)
        {
            failures++;
        }
        else
        {
            ignored++;
        }

        return (failures, ignored);
    }

    /// <summary>
    /// Upstream's <c>addCompletionIndexEnvVariables</c>: every container and init container gets
    /// <c>JOB_COMPLETION_INDEX</c> from the pod's completion-index label (downward API), unless it sets it already.
    /// </summary>
    public static void AddCompletionIndexEnv(V1PodSpec spec)
    {
        foreach (var c in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            c.Env ??= [];
            if (c.Env.All(e => e.Name != JobPods.CompletionIndexEnv))
            {
                c.Env.Add(new V1EnvVar
                {
                    Name = JobPods.CompletionIndexEnv,
                    ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.labels['{JobPods.CompletionIndexKey}']" } },
                });
            }
        }
    }

    /// <summary>The pod template for index <paramref name="index"/>: annotation, label and hostname <c>&lt;job&gt;-&lt;index&gt;</c>.</summary>
    public static void SetIndex(V1PodTemplateSpec template, string jobName, int index)
    {
        var value = index.ToString(CultureInfo.InvariantCulture);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Annotations ??= new Dictionary<string, string>();
        template.Metadata.Annotations[JobPods.CompletionIndexKey] = value;
        template.Metadata.Labels ??= new Dictionary<string, string>();
        template.Metadata.Labels[JobPods.CompletionIndexKey] = value;
        template.Spec.Hostname = $"{jobName}-{value}";
    }
}
