using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;

namespace Skiff.Controllers.Job;

/// <summary>
/// Counting finished pods exactly once with the tracking finalizer (upstream's
/// <c>trackJobStatusAndRemoveFinalizers</c>, <c>flushUncountedAndRemoveFinalizers</c>, <c>enactJobFinished</c>).
/// </summary>
internal sealed partial class JobController
{
    /// <summary>
    /// Adds finished pods (up to <see cref="JobControllerOptions.MaxUncountedPods"/>) to
    /// <c>status.uncountedTerminatedPods</c> (Indexed: their indexes to completedIndexes) and writes that; removes their
    /// finalizers; moves the pods whose finalizer is gone into succeeded/failed; writes the interim condition, and the
    /// terminal one once nothing is left uncounted or terminating.
    /// </summary>
    private async Task TrackJobStatusAndRemoveFinalizersAsync(JobSyncContext sync, bool needsFlush, CancellationToken ct)
    {
        var job = sync.Job;
        var indexed = JobSpecs.IsIndexed(job);
        var completions = job.Spec.Completions ?? 0;
        var uncounted = job.Status.UncountedTerminatedPods;
        uncounted.Succeeded ??= [];
        uncounted.Failed ??= [];
        IEnumerable<V1Pod> ordered = indexed ? sync.Pods.OrderBy(JobPods.CompletionIndex) : sync.Pods;
        var withFinalizer = new HashSet<string>(
            sync.Pods.Where(p => JobPods.HasTrackingFinalizer(p) && !sync.ExpectedRemovedFinalizers.Contains(p.Metadata.Uid)).Select(p => p.Metadata.Uid),
            StringComparer.Ordinal);
        needsFlush |= CleanUncountedPodsWithoutFinalizers(job.Status, withFinalizer);
        var toRemoveFinalizer = new List<V1Pod>();
        var newSucceededIndexes = new List<int>();
        var reachedMaxUncounted = false;
        foreach (var pod in ordered)
        {
            var uid = pod.Metadata.Uid;
            if (!JobPods.HasTrackingFinalizer(pod) || sync.ExpectedRemovedFinalizers.Contains(uid))
            {
                // Counted by an earlier sync.
                continue;
            }

            var considerFailed = JobPods.IsFailed(pod, job);
            if (!CanRemoveFinalizer(sync, pod, considerFailed))
            {
                continue;
            }

            toRemoveFinalizer.Add(pod);
            if (JobPods.IsSucceeded(pod) && !sync.UncountedFailed.Contains(uid))
            {
                if (indexed)
                {
                    // The index is enough to never count a succeeded pod twice.
                    var ix = JobPods.CompletionIndex(pod);
                    if (ix != JobPods.UnknownIndex && ix < completions && !sync.PrevSucceededIndexes.Has(ix))
                    {
                        newSucceededIndexes.Add(ix);
                        needsFlush = true;
                    }
                }
                else if (!sync.UncountedSucceeded.Contains(uid))
                {
                    needsFlush = true;
                    uncounted.Succeeded.Add(uid);
                }
            }
            else if (considerFailed || (sync.FinishedCondition is not null && !JobSpecs.IsSuccessCriteriaMet(sync.FinishedCondition)))
            {
                // A failing Job counts every pod it stops as failed.
                var ix = JobPods.CompletionIndex(pod);
                if (!sync.UncountedFailed.Contains(uid) && (!indexed || (ix != JobPods.UnknownIndex && ix < completions)) &&
                    PodFailurePolicyMatch.Match(job.Spec.PodFailurePolicy, pod).CountFailed)
                {
                    needsFlush = true;
                    uncounted.Failed.Add(uid);
                }
            }

            if (newSucceededIndexes.Count + uncounted.Succeeded.Count + uncounted.Failed.Count >= _options.MaxUncountedPods)
            {
                // Keeps the status small and lets other Jobs sync; the status write requeues this one.
                reachedMaxUncounted = true;
                break;
            }
        }

        if (indexed)
        {
            sync.SucceededIndexes = sync.SucceededIndexes.WithOrderedIndexes(newSucceededIndexes.Order());
            var text = sync.SucceededIndexes.ToString();
            needsFlush |= text != (job.Status.CompletedIndexes ?? "");
            job.Status.Succeeded = sync.SucceededIndexes.Total == 0 ? null : sync.SucceededIndexes.Total;
            job.Status.CompletedIndexes = text.Length == 0 ? null : text;
            var failedText = sync.FailedIndexes?.ToString();
            if (failedText != job.Status.FailedIndexes)
            {
                job.Status.FailedIndexes = failedText;
                needsFlush = true;
            }
        }

        if (sync.FinishedCondition is { Type: JobConditions.FailureTarget } target)
        {
            // Recorded before the finalizers go, so the reason survives; Failed follows with the same reason.
            job.Status.Conditions ??= [];
            job.Status.Conditions.Add(target);
            needsFlush = true;
            sync.FinishedCondition = JobConditions.New(JobConditions.Failed, "True", target.Reason, target.Message, Now);
        }

        if (JobSpecs.IsSuccessCriteriaMet(sync.FinishedCondition))
        {
            var met = sync.FinishedCondition!;
            if (JobSpecs.SuccessCriteriaMet(job) is null)
            {
                job.Status.Conditions ??= [];
                job.Status.Conditions.Add(met);
                needsFlush = true;
            }

            sync.FinishedCondition = JobConditions.New(JobConditions.Complete, "True", met.Reason, met.Message, Now);
        }

        needsFlush = await FlushUncountedAndRemoveFinalizersAsync(sync, toRemoveFinalizer, withFinalizer, needsFlush, ct).ConfigureAwait(false);
        var finished = !reachedMaxUncounted && EnactJobFinished(sync);
        if (finished || needsFlush)
        {
            sync.Job = await UpdateStatusAsync(sync.Job, ct).ConfigureAwait(false);
            if (finished)
            {
                RecordJobFinished(sync.Job, sync.FinishedCondition!);
            }
        }
    }

    /// <summary>
    /// Upstream's <c>canRemoveFinalizer</c>: the Job is being deleted or is finishing, or the pod succeeded, or it
    /// failed and is not the failed pod of an index held until its replacement exists.
    /// </summary>
    private static bool CanRemoveFinalizer(JobSyncContext sync, V1Pod pod, bool considerFailed)
    {
        if (sync.Job.Metadata.DeletionTimestamp is not null || sync.FinishedCondition is not null || JobPods.IsSucceeded(pod))
        {
            return true;
        }

        if (!considerFailed)
        {
            return false;
        }

        return !(JobSpecs.HasBackoffLimitPerIndex(sync.Job) &&
            sync.PodsWithDelayedDeletionPerIndex.TryGetValue(JobPods.CompletionIndex(pod), out var held) && held.Metadata.Uid == pod.Metadata.Uid);
    }

    /// <summary>
    /// Upstream's <c>flushUncountedAndRemoveFinalizers</c>: writes the status (new uncounted pods, interim condition),
    /// removes the finalizers, then counts the pods whose finalizer is gone; on a removal failure writes that partial
    /// progress and throws. Returns whether counted pods are left to write.
    /// </summary>
    private async Task<bool> FlushUncountedAndRemoveFinalizersAsync(JobSyncContext sync, List<V1Pod> toRemoveFinalizer, HashSet<string> withFinalizer,
        bool needsFlush, CancellationToken ct)
    {
        if (needsFlush)
        {
            sync.Job = await UpdateStatusAsync(sync.Job, ct).ConfigureAwait(false);
            _backoff.Update(sync.NewBackoffRecord);
            needsFlush = false;
        }

        Exception? removeError = null;
        if (toRemoveFinalizer.Count > 0)
        {
            var (removed, error) = await RemoveTrackingFinalizersAsync(sync.Key, toRemoveFinalizer, ct).ConfigureAwait(false);
            removeError = error;
            for (var i = 0; i < toRemoveFinalizer.Count; i++)
            {
                if (removed[i])
                {
                    withFinalizer.Remove(toRemoveFinalizer[i].Metadata.Uid);
                }
            }
        }

        needsFlush |= CleanUncountedPodsWithoutFinalizers(sync.Job.Status, withFinalizer);
        if (removeError is not null)
        {
            if (needsFlush)
            {
                sync.Job = await UpdateStatusAsync(sync.Job, ct).ConfigureAwait(false);
            }

            throw removeError;
        }

        return needsFlush;
    }

    /// <summary>
    /// Upstream's <c>cleanUncountedPodsWithoutFinalizers</c>: uncounted pods whose finalizer is gone move into the
    /// succeeded and failed counters. Returns whether the status changed.
    /// </summary>
    internal static bool CleanUncountedPodsWithoutFinalizers(V1JobStatus status, HashSet<string> withFinalizer)
    {
        status.UncountedTerminatedPods ??= new V1UncountedTerminatedPods();
        var uncounted = status.UncountedTerminatedPods;
        var changed = false;
        var succeeded = (uncounted.Succeeded ?? []).Where(withFinalizer.Contains).ToList();
        if (succeeded.Count != (uncounted.Succeeded?.Count ?? 0))
        {
            status.Succeeded = (status.Succeeded ?? 0) + uncounted.Succeeded!.Count - succeeded.Count;
            uncounted.Succeeded = succeeded;
            changed = true;
        }

        var failed = (uncounted.Failed ?? []).Where(withFinalizer.Contains).ToList();
        if (failed.Count != (uncounted.Failed?.Count ?? 0))
        {
            status.Failed = (status.Failed ?? 0) + uncounted.Failed!.Count - failed.Count;
            uncounted.Failed = failed;
            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Upstream's <c>removeTrackingFinalizerFromPods</c>: expects the removals, patches in parallel; a pod already gone
    /// counts as removed. Returns per pod whether it was removed, and the first error.
    /// </summary>
    private async Task<(bool[] Removed, Exception? Error)> RemoveTrackingFinalizersAsync(string key, List<V1Pod> pods, CancellationToken ct)
    {
        FinalizerExpectations.ExpectRemoved(key, pods.Select(p => p.Metadata.Uid));
        var removed = new bool[pods.Count];
        var errors = await Task.WhenAll(pods.Select(async (pod, i) =>
        {
            if (JobPods.RemoveTrackingFinalizerPatch(pod) is not { } patch)
            {
                return null;
            }

            try
            {
                await _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, ct: ct).ConfigureAwait(false);
                removed[i] = true;
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // No update will be observed for this pod.
                FinalizerExpectations.RemovalObserved(key, pod.Metadata.Uid);
                if (e is KubernetesApiException { IsNotFound: true })
                {
                    removed[i] = true;
                    return null;
                }

                LogFinalizerRemovalFailed(key, pod.Metadata.Name, e.Message);
                return e;
            }
        })).ConfigureAwait(false);
        return (removed, errors.FirstOrDefault(e => e is not null));
    }

    /// <summary>
    /// Upstream's <c>enactJobFinished</c>: sets the terminal condition (and completionTime for Complete) once no pod is
    /// uncounted or terminating. Returns whether it did.
    /// </summary>
    private bool EnactJobFinished(JobSyncContext sync)
    {
        if (sync.FinishedCondition is not { } finished)
        {
            return false;
        }

        var status = sync.Job.Status;
        if ((status.UncountedTerminatedPods?.Succeeded?.Count ?? 0) + (status.UncountedTerminatedPods?.Failed?.Count ?? 0) > 0 || sync.Terminating > 0)
        {
            return false;
        }

        JobConditions.Ensure(status, finished.Type, finished.Status, finished.Reason, finished.Message, Now);
        if (finished.Type == JobConditions.Complete)
        {
            status.CompletionTime = JobSpecs.Find(status.Conditions, JobConditions.Complete)?.LastTransitionTime;
        }

        return true;
    }

    /// <summary>Upstream's <c>recordJobFinished</c>: the Completed event (and TooManySucceededPods), or the failure reason as a warning.</summary>
    private void RecordJobFinished(V1Job job, V1JobCondition finished)
    {
        if (finished.Type == JobConditions.Complete)
        {
            if (job.Spec.Completions is { } completions && job.Status.Succeeded > completions)
            {
                _events.Event(job, EventRecorder.Warning, "TooManySucceededPods", "Too many succeeded pods running after completion count reached");
            }

            _events.Event(job, EventRecorder.Normal, "Completed", "Job completed");
        }
        else
        {
            _events.Event(job, EventRecorder.Warning, finished.Reason ?? "", finished.Message ?? "");
        }
    }

    /// <summary>Writes the status subresource; returns the stored Job (its status ready for further counting).</summary>
    private async Task<V1Job> UpdateStatusAsync(V1Job job, CancellationToken ct)
    {
        // Empty lists are left out, as upstream's omitempty does: uncountedTerminatedPods: {}.
        if (job.Status.UncountedTerminatedPods is { } u)
        {
            u.Succeeded = u.Succeeded is { Count: > 0 } ? u.Succeeded : null;
            u.Failed = u.Failed is { Count: > 0 } ? u.Failed : null;
        }

        var key = job.Metadata.NamespaceProperty + "/" + job.Metadata.Name;
        var updated = await Jobs(job.Metadata.NamespaceProperty).UpdateStatusAsync(job, ct: ct).ConfigureAwait(false);
        _ownWrites.Replaced(key, job.Metadata.ResourceVersion);
        updated.Status ??= new V1JobStatus();
        updated.Status.UncountedTerminatedPods ??= new V1UncountedTerminatedPods();
        updated.Status.UncountedTerminatedPods.Succeeded ??= [];
        updated.Status.UncountedTerminatedPods.Failed ??= [];
        return updated;
    }
}
