using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>
/// What the Job controller reads from and writes on its pods (upstream's <c>tracking_utils.go</c>, the pod parts of
/// <c>indexed_job_utils.go</c> and <c>backoff_utils.go</c>): the tracking finalizer, completion indexes, index failure
/// counts, when a pod finished, and whether it counts as failed.
/// </summary>
internal static class JobPods
{
    /// <summary>The finalizer every pod the controller creates carries until it is counted.</summary>
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    /// <summary>The completion index of a pod of an Indexed Job (annotation and label).</summary>
    public const string CompletionIndexKey = "batch.kubernetes.io/job-completion-index";

    /// <summary>Counted failures of earlier pods of the same index (backoffLimitPerIndex).</summary>
    public const string IndexFailureCountAnnotation = "batch.kubernetes.io/job-index-failure-count";

    /// <summary>Ignored failures (podFailurePolicy Ignore) of earlier pods of the same index.</summary>
    public const string IndexIgnoredFailureCountAnnotation = "batch.kubernetes.io/job-index-ignored-failure-count";

    /// <summary>The env variable an Indexed Job's containers read their index from.</summary>
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";

    /// <summary>Upstream's <c>unknownCompletionIndex</c>.</summary>
    public const int UnknownIndex = -1;

    /// <summary>Upstream's <c>names.MaxGeneratedNameLength</c> (63 less the 5 random characters).</summary>
    public const int MaxGeneratedNameLength = 58;

    public static bool HasTrackingFinalizer(V1Pod pod) => pod.Metadata.Finalizers?.Contains(TrackingFinalizer) == true;

    /// <summary>The completion index annotation as a non-negative int; <see cref="UnknownIndex"/> when absent or invalid.</summary>
    public static int CompletionIndex(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(CompletionIndexKey, out var v) == true &&
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : UnknownIndex;

    /// <summary>The index failure count annotation (0 when absent or invalid).</summary>
    public static int IndexFailureCount(V1Pod pod) => Int32Annotation(pod, IndexFailureCountAnnotation);

    /// <summary>Counted and ignored failures of the index together.</summary>
    public static int IndexAbsoluteFailureCount(V1Pod pod) =>
        Int32Annotation(pod, IndexFailureCountAnnotation) + Int32Annotation(pod, IndexIgnoredFailureCountAnnotation);

    public static int Int32Annotation(V1Pod pod, string key) =>
        pod.Metadata.Annotations?.TryGetValue(key, out var v) == true &&
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;

    public static bool IsSucceeded(V1Pod pod) => pod.Status?.Phase == "Succeeded";

    /// <summary>Being deleted and not terminal yet (upstream's <c>controller.FilterTerminatingPods</c>).</summary>
    public static bool IsTerminating(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is not null && pod.Status?.Phase is not ("Succeeded" or "Failed");

    /// <summary>
    /// Upstream's <c>isPodFailed</c>: phase Failed; or, unless only failed pods are replaced, being deleted without
    /// having succeeded (an orphan may never reach the Failed phase).
    /// </summary>
    public static bool IsFailed(V1Pod pod, V1Job job) =>
        pod.Status?.Phase == "Failed" ||
        (!JobSpecs.OnlyReplaceFailedPods(job) && pod.Metadata.DeletionTimestamp is not null && pod.Status?.Phase != "Succeeded");

    /// <summary>
    /// Upstream's <c>getFinishedTime</c>: the latest container finish time when every container terminated; else the
    /// time Ready turned False; else deletionTimestamp less the grace period; else the creation time.
    /// </summary>
    public static DateTimeOffset FinishedTime(V1Pod pod)
    {
        DateTime? latest = null;
        var statuses = pod.Status?.ContainerStatuses;
        if (statuses is { Count: > 0 })
        {
            foreach (var c in statuses)
            {
                if (c.State?.Terminated?.FinishedAt is not { } at)
                {
                    latest = null;
                    break;
                }

                latest = latest is null || latest < at ? at : latest;
            }

            if (latest is { } t)
            {
                return Utc(t);
            }
        }

        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "False", LastTransitionTime: { } ready })
        {
            return Utc(ready);
        }

        if (pod.Metadata.DeletionTimestamp is { } deleted)
        {
            return Utc(deleted).AddSeconds(-(pod.Metadata.DeletionGracePeriodSeconds ?? 0));
        }

        return pod.Metadata.CreationTimestamp is { } created ? Utc(created) : DateTimeOffset.MinValue;
    }

    /// <summary>A model time as UTC (the client deserializes RFC 3339 times without a kind).</summary>
    public static DateTimeOffset Utc(DateTime t) => new(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc));

    /// <summary>The strategic merge patch removing the tracking finalizer; null when the pod does not have it.</summary>
    public static JsonObject? RemoveTrackingFinalizerPatch(V1Pod pod) => HasTrackingFinalizer(pod)
        ? new JsonObject { ["metadata"] = new JsonObject { ["$deleteFromPrimitiveList/finalizers"] = new JsonArray(TrackingFinalizer) } }
        : null;

    /// <summary>
    /// Upstream's <c>podGenerateNameWithIndex</c>: <c>&lt;job&gt;-&lt;index&gt;-</c>, the job name cut so the prefix stays
    /// within <see cref="MaxGeneratedNameLength"/>.
    /// </summary>
    public static string GenerateNameWithIndex(string jobName, int index)
    {
        var suffix = "-" + index.ToString(CultureInfo.InvariantCulture) + "-";
        var prefix = jobName + suffix;
        return prefix.Length > MaxGeneratedNameLength ? prefix[..(MaxGeneratedNameLength - suffix.Length)] + suffix : prefix;
    }
}
