using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Job;

/// <summary>Creating and deleting a Job's pods (upstream's <c>manageJob</c>, <c>deleteJobPods</c>, <c>deleteActivePods</c>).</summary>
internal sealed partial class JobController
{
    /// <summary>
    /// Upstream's <c>manageJob</c>: a suspended Job loses its active pods (finalizers removed first, so they do not
    /// count as failed); otherwise pods beyond what is wanted (parallelism, remaining completions, repeated or invalid
    /// indexes) are deleted, or — after the failure back-off — missing ones are created. Returns the active count
    /// after the calls and the first error.
    /// </summary>
    private async Task<(int Active, Exception? Error)> ManageJobAsync(JobSyncContext sync, ReconcileRequest request, CancellationToken ct)
    {
        var job = sync.Job;
        var key = sync.Key;
        var active = sync.ActivePods.Count;
        var parallelism = job.Spec.Parallelism ?? 1;
        if (JobSpecs.IsSuspended(job))
        {
            var all = ActivePodsForRemoval(job, sync.ActivePods, active);
            Expectations.ExpectDeletions(key, [.. all.Select(PodStatusUtil.Key)]);
            var (removedReady, removed, error) = await DeleteJobPodsAsync(job, key, all, ct).ConfigureAwait(false);
            sync.Terminating += removed;
            sync.Ready -= removedReady;
            return (active - removed, error);
        }

        int wantActive;
        if (job.Spec.Completions is not { } completions)
        {
            // Without completions, the first success ends the Job once the running pods finish: create no more.
            wantActive = sync.Succeeded > 0 ? active : parallelism;
        }
        else
        {
            wantActive = Math.Clamp(completions - sync.Succeeded, 0, parallelism);
        }

        var toDelete = ActivePodsForRemoval(job, sync.ActivePods, Math.Max(active - wantActive, 0));
        if (toDelete.Count > _options.MaxPodCreateDeletePerSync)
        {
            toDelete = toDelete.Take(_options.MaxPodCreateDeletePerSync).ToList();
        }

        if (toDelete.Count > 0)
        {
            Expectations.ExpectDeletions(key, [.. toDelete.Select(PodStatusUtil.Key)]);
            LogTooMany(key, toDelete.Count, wantActive);
            var (removedReady, removed, error) = await DeleteJobPodsAsync(job, key, toDelete, ct).ConfigureAwait(false);
            sync.Terminating += removed;
            sync.Ready -= removedReady;

            // Deletions and creations never happen in the same sync; deletions go first.
            return (active - removed, error);
        }

        var terminating = JobSpecs.OnlyReplaceFailedPods(job) ? sync.Terminating : 0;
        var diff = wantActive - terminating - active;
        if (diff <= 0)
        {
            return (active, null);
        }

        var remaining = JobSpecs.HasBackoffLimitPerIndex(job)
            ? TimeSpan.Zero
            : sync.NewBackoffRecord.RemainingTime(Clock, _options.PodFailureBackoff, _options.MaxPodFailureBackoff);
        if (remaining > TimeSpan.Zero)
        {
            LogBackoff(key, remaining);
            EnqueueWithDelay(request, remaining);
            return (0, null);
        }

        diff = Math.Min(diff, _options.MaxPodCreateDeletePerSync);
        List<int>? indexes = null;
        if (JobSpecs.IsIndexed(job))
        {
            indexes = IndexedJobs.FirstPendingIndexes(sync, diff, job.Spec.Completions ?? 0);
            if (JobSpecs.HasBackoffLimitPerIndex(job))
            {
                (indexes, remaining) = IndexesReadyToCreate(indexes, sync.PodsWithDelayedDeletionPerIndex);
                if (remaining > TimeSpan.Zero)
                {
                    LogBackoff(key, remaining);
                    EnqueueWithDelay(request, remaining);
                    return (0, null);
                }
            }

            diff = indexes.Count;
        }

        if (diff == 0)
        {
            return (active, null);
        }

        Expectations.ExpectCreations(key, diff);
        LogTooFew(key, wantActive, diff);
        var template = KubernetesSerialization.DeepCopy(job.Spec.Template);
        template.Metadata ??= new V1ObjectMeta();
        template.Spec ??= new V1PodSpec();
        if (JobSpecs.IsIndexed(job))
        {
            IndexedJobs.AddCompletionIndexEnv(template.Spec);
        }

        template.Metadata.Finalizers ??= [];
        if (!template.Metadata.Finalizers.Contains(JobPods.TrackingFinalizer))
        {
            template.Metadata.Finalizers.Add(JobPods.TrackingFinalizer);
        }

        var controllerRef = ControllerRefManager<V1Pod>.NewControllerRef(job.Metadata, "batch/v1", "Job");
        var next = 0;
        var result = await SlowStart.RunAsync(diff, SlowStart.InitialBatchSize, c =>
        {
            var ix = indexes is null ? JobPods.UnknownIndex : indexes[Interlocked.Increment(ref next) - 1];
            return CreatePodAsync(job, template, controllerRef, ix, sync, c);
        }, ct).ConfigureAwait(false);

        // Creations that failed or were skipped will not be observed.
        for (var i = result.Successes; i < diff; i++)
        {
            Expectations.CreationObserved(key);
        }

        var createError = result.FirstError is { } e && !IsNamespaceTerminating(e) ? e : null;
        return (active + result.Successes, createError);
    }

    /// <summary>Upstream's <c>getPodCreationInfoForIndependentIndexes</c>: the indexes whose back-off passed, else the least remaining back-off.</summary>
    private (List<int> Indexes, TimeSpan Remaining) IndexesReadyToCreate(List<int> indexes, Dictionary<int, V1Pod> delayed)
    {
        var now = new List<int>();
        TimeSpan? least = null;
        foreach (var ix in indexes)
        {
            var remaining = delayed.TryGetValue(ix, out var last)
                ? BackoffRecord.RemainingTime(Clock, _options.PodFailureBackoff, _options.MaxPodFailureBackoff,
                    JobPods.IndexAbsoluteFailureCount(last) + 1, JobPods.FinishedTime(last))
                : TimeSpan.Zero;
            if (remaining == TimeSpan.Zero)
            {
                now.Add(ix);
            }
            else if (least is null || remaining < least)
            {
                least = remaining;
            }
        }

        return now.Count > 0 ? (now, TimeSpan.Zero) : (now, least ?? TimeSpan.Zero);
    }

    private async Task CreatePodAsync(V1Job job, V1PodTemplateSpec shared, V1OwnerReference controllerRef, int index, JobSyncContext sync, CancellationToken ct)
    {
        var template = shared;
        var generateName = job.Metadata.Name + "-";
        if (index != JobPods.UnknownIndex)
        {
            template = KubernetesSerialization.DeepCopy(shared);
            IndexedJobs.SetIndex(template, job.Metadata.Name, index);
            generateName = JobPods.GenerateNameWithIndex(job.Metadata.Name, index);
            if (JobSpecs.HasBackoffLimitPerIndex(job))
            {
                var (failures, ignored) = IndexedJobs.NewIndexFailureCounts(job, sync.PodsWithDelayedDeletionPerIndex.GetValueOrDefault(index));
                template.Metadata.Annotations[JobPods.IndexFailureCountAnnotation] = failures.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (ignored > 0)
                {
                    template.Metadata.Annotations[JobPods.IndexIgnoredFailureCountAnnotation] = ignored.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                NamespaceProperty = job.Metadata.NamespaceProperty,
                GenerateName = generateName,
                Labels = template.Metadata.Labels is { } l ? new Dictionary<string, string>(l) : null,
                Annotations = template.Metadata.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                Finalizers = template.Metadata.Finalizers is { } f ? [.. f] : null,
                OwnerReferences = [controllerRef],
            },
            Spec = index == JobPods.UnknownIndex ? KubernetesSerialization.DeepCopy(template.Spec) : template.Spec,
        };
        V1Pod created;
        try
        {
            created = await _ctx.Clientset.CoreV1().Pods(job.Metadata.NamespaceProperty).CreateAsync(pod, ct: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!IsNamespaceTerminating(e))
            {
                _events.Event(job, EventRecorder.Warning, "FailedCreate", $"Error creating: {e.Message}");
            }

            throw;
        }

        _events.Event(job, EventRecorder.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
    }

    /// <summary>
    /// Upstream's <c>deleteJobPods</c>: removes each pod's finalizer (it is not counted), then deletes it; a failure
    /// is an observed deletion. Returns the ready pods deleted, the pods deleted and the first error.
    /// </summary>
    private async Task<(int Ready, int Deleted, Exception? Error)> DeleteJobPodsAsync(V1Job job, string key, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        var results = await Task.WhenAll(pods.Select(async pod =>
        {
            try
            {
                if (JobPods.RemoveTrackingFinalizerPatch(pod) is { } patch)
                {
                    await _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, ct: ct).ConfigureAwait(false);
                }

                await DeletePodAsync(job, pod, ct).ConfigureAwait(false);
                return (Pod: pod, Error: (Exception?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The informer will not see this deletion.
                Expectations.DeletionObserved(key, PodStatusUtil.Key(pod));
                return (Pod: pod, Error: e is KubernetesApiException { IsNotFound: true } ? null : e);
            }
        })).ConfigureAwait(false);
        return (results.Count(r => r.Error is null && PodStatusUtil.IsReady(r.Pod)), results.Count(r => r.Error is null), results.FirstOrDefault(r => r.Error is not null).Error);
    }

    /// <summary>Upstream's <c>deleteActivePods</c>: deletes keeping the finalizers (the pods are counted as failed later).</summary>
    private async Task<(int Ready, int Deleted, Exception? Error)> DeleteActivePodsAsync(V1Job job, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        var results = await Task.WhenAll(pods.Select(async pod =>
        {
            try
            {
                await DeletePodAsync(job, pod, ct).ConfigureAwait(false);
                return (Pod: pod, Error: (Exception?)null);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                return (Pod: pod, Error: (Exception?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (Pod: pod, Error: e);
            }
        })).ConfigureAwait(false);
        return (results.Count(r => PodStatusUtil.IsReady(r.Pod)), results.Count(r => r.Error is null), results.FirstOrDefault(r => r.Error is not null).Error);
    }

    private async Task DeletePodAsync(V1Job job, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).DeleteAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (!e.IsNotFound)
        {
            _events.Event(job, EventRecorder.Warning, "FailedDelete", $"Error deleting: {e.Message}");
            throw;
        }

        _events.Event(job, EventRecorder.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
    }

    /// <summary>
    /// Upstream's <c>activePodsForRemoval</c>: for Indexed Jobs the pods with repeated, invalid or no index first;
    /// then, to reach <paramref name="removeAtLeast"/>, the active pods in deletion order.
    /// </summary>
    internal static List<V1Pod> ActivePodsForRemoval(V1Job job, IReadOnlyList<V1Pod> pods, int removeAtLeast)
    {
        List<V1Pod> remove;
        IReadOnlyList<V1Pod> left;
        if (JobSpecs.IsIndexed(job))
        {
            (remove, var l) = IndexedJobs.DuplicatedIndexPodsForRemoval(pods, job.Spec.Completions ?? 0);
            left = l;
        }
        else
        {
            remove = [];
            left = pods;
        }

        if (remove.Count < removeAtLeast)
        {
            remove.AddRange(IndexedJobs.SortForRemoval(left).Take(removeAtLeast - remove.Count));
        }

        return remove;
    }

    private static bool IsNamespaceTerminating(Exception e) =>
        e is KubernetesApiException k && k.Status.Details?.Causes?.Any(c => c.Reason == "NamespaceTerminating") == true;
}
