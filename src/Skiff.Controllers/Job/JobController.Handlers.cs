using k8s.Models;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Job;

/// <summary>Informer handlers (upstream's <c>addJob</c>, <c>updateJob</c>, <c>deleteJob</c>, <c>addPod</c>, <c>updatePod</c>, <c>deletePod</c>).</summary>
internal sealed partial class JobController
{
    private void OnJobAdded(V1Job job) => EnqueueImmediately(job);

    private void OnJobUpdated(V1Job old, V1Job cur)
    {
        // A spec change syncs at once; status updates (mostly caused by pod events) are batched.
        if (cur.Metadata.Generation == old.Metadata.Generation)
        {
            EnqueueBatched(cur);
        }
        else
        {
            EnqueueImmediately(cur);
        }

        if (JobSpecs.IsFinished(cur))
        {
            // The finalizers should be gone already; this is the backup.
            CleanupPodFinalizers(cur);
        }

        if (cur.Status?.StartTime is { } start && cur.Spec.ActiveDeadlineSeconds is { } ads && old.Spec.ActiveDeadlineSeconds != ads)
        {
            Controller.Queue.AddAfter(Request(cur), TimeSpan.FromSeconds(ads) - (Now - JobPods.Utc(start)));
        }
    }

    private void OnJobDeleted(V1Job job)
    {
        EnqueueImmediately(job);
        CleanupPodFinalizers(job);
    }

    private void OnPodAdded(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Seen for the first time already being deleted (a restart): not a creation.
            OnPodDeleted(pod, final: false);
            return;
        }

        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef)
        {
            if (_owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } job)
            {
                Expectations.CreationObserved(Key(job));
                EnqueueBatched(job);
            }

            return;
        }

        // An orphan: its finalizer goes; a Job whose selector matches may adopt it.
        if (JobPods.HasTrackingFinalizer(pod))
        {
            EnqueueOrphan(pod);
        }

        foreach (var job in _owners.Selecting(pod.Metadata))
        {
            EnqueueBatched(job);
        }
    }

    private void OnPodUpdated(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return;
        }

        if (cur.Metadata.DeletionTimestamp is not null)
        {
            // Graceful deletion started: replace it now rather than when the kubelet finishes.
            OnPodDeleted(cur, final: false);
            return;
        }

        var finalizerRemoved = !JobPods.HasTrackingFinalizer(cur);
        var curRef = ControllerRefManager<V1Pod>.ControllerOf(cur.Metadata);
        var oldRef = ControllerRefManager<V1Pod>.ControllerOf(old.Metadata);
        var refChanged = curRef?.Uid != oldRef?.Uid || curRef?.Name != oldRef?.Name || curRef?.Kind != oldRef?.Kind;
        if (refChanged && oldRef is not null && _owners.Resolve(old.Metadata.NamespaceProperty, oldRef) is { } oldJob)
        {
            if (finalizerRemoved)
            {
                FinalizerExpectations.RemovalObserved(Key(oldJob), cur.Metadata.Uid);
            }

            EnqueueBatched(oldJob);
        }

        if (curRef is not null)
        {
            if (_owners.Resolve(cur.Metadata.NamespaceProperty, curRef) is { } job)
            {
                if (finalizerRemoved)
                {
                    FinalizerExpectations.RemovalObserved(Key(job), cur.Metadata.Uid);
                }

                EnqueueBatched(job);
            }

            return;
        }

        if (JobPods.HasTrackingFinalizer(cur))
        {
            EnqueueOrphan(cur);
        }

        if (refChanged || !LabelsEqual(old.Metadata.Labels, cur.Metadata.Labels))
        {
            foreach (var job in _owners.Selecting(cur.Metadata))
            {
                EnqueueBatched(job);
            }
        }
    }

    /// <summary>A pod gone (<paramref name="final"/>) or being deleted.</summary>
    private void OnPodDeleted(V1Pod pod, bool final)
    {
        var hasFinalizer = JobPods.HasTrackingFinalizer(pod);
        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is not { } controllerRef)
        {
            // The garbage collector may have removed the reference of a Job's pod.
            if (hasFinalizer)
            {
                EnqueueOrphan(pod);
            }

            return;
        }

        var job = _owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef);
        if (job is null || JobSpecs.IsFinished(job))
        {
            // No sync will remove this finalizer.
            if (hasFinalizer)
            {
                EnqueueOrphan(pod);
            }

            return;
        }

        var key = Key(job);
        Expectations.DeletionObserved(key, PodStatusUtil.Key(pod));
        if (final || !hasFinalizer)
        {
            FinalizerExpectations.RemovalObserved(key, pod.Metadata.Uid);
        }

        EnqueueBatched(job);
    }

    /// <summary>Upstream's <c>cleanupPodFinalizers</c>: the Job's pods still carrying the finalizer go to the orphan queue.</summary>
    private void CleanupPodFinalizers(V1Job job)
    {
        Skiff.Api.Selectors.LabelSelector selector;
        try
        {
            selector = Selectors.From(job.Spec.Selector);
        }
        catch (Skiff.Api.Selectors.SelectorParseException)
        {
            return;
        }

        foreach (var pod in _pods.Lister.List(job.Metadata.NamespaceProperty, selector))
        {
            if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata)?.Uid == job.Metadata.Uid && JobPods.HasTrackingFinalizer(pod))
            {
                EnqueueOrphan(pod);
            }
        }
    }

    private void EnqueueImmediately(V1Job job) => Controller.Queue.Add(Request(job));

    private void EnqueueBatched(V1Job job) => Controller.Queue.AddAfter(Request(job), _options.SyncBatchPeriod);

    /// <summary>Upstream's <c>enqueueSyncJobWithDelay</c>: never sooner than the batch period.</summary>
    private void EnqueueWithDelay(ReconcileRequest request, TimeSpan delay) =>
        Controller.Queue.AddAfter(request, delay < _options.SyncBatchPeriod ? _options.SyncBatchPeriod : delay);

    private void EnqueueOrphan(V1Pod pod) => OrphanController.Queue.Add(new ReconcileRequest(pod.Metadata.NamespaceProperty, pod.Metadata.Name));

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    private static string Key(V1Job job) => job.Metadata.NamespaceProperty + "/" + job.Metadata.Name;

    private static ReconcileRequest Request(V1Job job) => new(job.Metadata.NamespaceProperty, job.Metadata.Name);

    /// <summary>
    /// Upstream's <c>syncOrphanPod</c>: removes the tracking finalizer of a pod no unfinished Job controls (a pod of
    /// another kind of owner keeps it; an adopted pod keeps it; a Job managed elsewhere keeps its pods' finalizers).
    /// </summary>
    private sealed class OrphanPodReconciler(JobController c) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            if (c._pods.Lister.Get(request.Namespace, request.Name) is not { } pod)
            {
                return ReconcileResult.Done;
            }

            if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef)
            {
                if (controllerRef.Kind != "Job" || controllerRef.ApiVersion != "batch/v1")
                {
                    return ReconcileResult.Done;
                }

                if (c._owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } job &&
                    (JobSpecs.ManagedByExternalController(job) is not null || !JobSpecs.IsFinished(job)))
                {
                    return ReconcileResult.Done;
                }
            }

            if (JobPods.RemoveTrackingFinalizerPatch(pod) is { } patch)
            {
                try
                {
                    await c._ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                        .PatchAsync(pod.Metadata.Name, Skiff.Client.Rest.PatchType.StrategicMerge, patch, ct: ct).ConfigureAwait(false);
                }
                catch (Skiff.Client.Rest.KubernetesApiException e) when (e.IsNotFound)
                {
                }
            }

            return ReconcileResult.Done;
        }
    }
}
