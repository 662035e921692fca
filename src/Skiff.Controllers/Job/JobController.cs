using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Job;

/// <summary>
/// Runs batch/v1 Jobs to completion, as upstream's <c>pkg/controller/job</c> in 1.32:
/// <list type="bullet">
/// <item>creates pods (slow start, at most <see cref="JobControllerOptions.MaxPodCreateDeletePerSync"/> per sync)
/// up to parallelism and the remaining completions, each with the <c>batch.kubernetes.io/job-tracking</c> finalizer;
/// Indexed Jobs give each pod its completion index (annotation, label, <c>JOB_COMPLETION_INDEX</c>, hostname);</item>
/// <item>counts finished pods exactly once: a finished pod goes to <c>status.uncountedTerminatedPods</c>, then its
/// finalizer is removed, then it moves to succeeded/failed (or completedIndexes/failedIndexes);</item>
/// <item>replaces failed pods after an exponential back-off; fails the Job on backoffLimit, activeDeadlineSeconds,
/// a FailJob rule of podFailurePolicy, backoffLimitPerIndex/maxFailedIndexes — first the FailureTarget condition while
/// active pods are deleted, then Failed once none is left terminating; completes it on completions or successPolicy
/// through SuccessCriteriaMet, then Complete;</item>
/// <item>suspends (deleting active pods, the Suspended condition) and resumes (startTime reset);</item>
/// <item>writes active, ready, terminating, startTime and completionTime, and the events upstream writes.</item>
/// </list>
/// Pods of deleted or finished Jobs that still carry the finalizer (orphans) lose it through a second queue.
/// </summary>
internal sealed partial class JobController : IReconciler
{
    /// <summary>The event source component.</summary>
    public const string Component = "job-controller";

    private readonly ControllerContext _ctx;
    private readonly JobControllerOptions _options;
    private readonly SharedIndexInformer<V1Job> _jobs;
    private readonly OwnerLookup<V1Job> _owners;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;
    private readonly BackoffStore _backoff = new();
    private readonly StaleVersions _ownWrites = new();

    public JobController(ControllerContext ctx, JobControllerOptions? options = null)
    {
        _ctx = ctx;
        _options = options ?? new JobControllerOptions();
        _jobs = ctx.Manager.Informers.Informer<V1Job>();
        _owners = new OwnerLookup<V1Job>("Job", _jobs.Lister, job => job.Spec.Selector);
        _pods = ctx.Manager.Informers.Informer<V1Pod>();
        _events = ctx.Manager.CreateEventRecorder(Component);
        _logger = ctx.LoggerFactory.CreateLogger<JobController>();
        Expectations = new ControllerExpectations();
        Controller = ctx.NewController("job", this, _options.Workers, JobBackoff());
        OrphanController = ctx.NewController("job_orphan_pod", new OrphanPodReconciler(this), 1, JobBackoff());
    }

    /// <summary>The runnable syncing Jobs.</summary>
    public Controller Controller { get; }

    /// <summary>The runnable removing the tracking finalizer from orphan pods.</summary>
    public Controller OrphanController { get; }

    /// <summary>Outstanding pod creations and deletions per Job key.</summary>
    public ControllerExpectations Expectations { get; }

    /// <summary>Pods whose finalizer removal is not yet observed, per Job key.</summary>
    public FinalizerExpectations FinalizerExpectations { get; } = new();

    private TimeProvider Clock => _ctx.TimeProvider;

    /// <summary>Upstream's job queues' limiter: per-item exponential backoff from <c>DefaultJobApiBackOff</c> (1 s) to <c>MaxJobApiBackOff</c> (1 min).</summary>
    private static ItemExponentialFailureRateLimiter<ReconcileRequest> JobBackoff() => new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    private DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Registers the controller (and its orphan-pod queue) with the context's manager.</summary>
    public static JobController Register(ControllerContext ctx, JobControllerOptions? options = null)
    {
        var c = new JobController(ctx, options);
        c._jobs.AddEventHandler(new ResourceEventHandler<V1Job>((j, _) => c.OnJobAdded(j), c.OnJobUpdated, (j, _) => c.OnJobDeleted(j)));
        c._pods.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => c.OnPodAdded(p), c.OnPodUpdated, (p, _) => c.OnPodDeleted(p, final: true)));
        ctx.Manager.Add(c.Controller);
        ctx.Manager.Add(c.OrphanController);
        return c;
    }

    /// <summary>Upstream's <c>syncJob</c>.</summary>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var key = request.ToString();
        if (_jobs.Lister.Get(request.Namespace, request.Name) is not { } shared)
        {
            Expectations.Delete(key);
            FinalizerExpectations.Delete(key);
            _ownWrites.Forget(key);
            _backoff.Remove(key);
            return ReconcileResult.Done;
        }

        if (JobSpecs.ManagedByExternalController(shared) is not null)
        {
            return ReconcileResult.Done;
        }

        if (_ownWrites.IsStale(key, shared.Metadata.ResourceVersion))
        {
            // The cache still holds a version this controller has since replaced: a sync now could only conflict.
            // The informer's event for the newer version enqueues the Job again.
            LogStaleCache(key, shared.Metadata.ResourceVersion);
            return ReconcileResult.Done;
        }

        var job = KubernetesSerialization.DeepCopy(shared);
        job.Status ??= new V1JobStatus();
        if (JobSpecs.IsFinished(job))
        {
            _backoff.Remove(key);
            return ReconcileResult.Done;
        }

        if (job.Spec.CompletionMode is { } mode && mode is not ("NonIndexed" or "Indexed"))
        {
            _events.Event(job, EventRecorder.Warning, "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown");
            return ReconcileResult.Done;
        }

        job.Status.UncountedTerminatedPods ??= new V1UncountedTerminatedPods();

        // Expectations first: a pod created after this check is seen by the next sync.
        var satisfied = Expectations.Satisfied(key);
        var pods = await GetPodsForJobAsync(job, ct).ConfigureAwait(false);
        var activePods = PodStatusUtil.FilterActive(pods);
        var sync = new JobSyncContext(key, job, pods, activePods, FinalizerExpectations.ExpectedUids(key))
        {
            Ready = activePods.Count(PodStatusUtil.IsReady),
            Terminating = pods.Count(JobPods.IsTerminating),
        };
        var active = activePods.Count;
        var (newSucceeded, newFailed) = NewFinishedPods(sync);
        sync.Succeeded = (job.Status.Succeeded ?? 0) + newSucceeded.Count + sync.UncountedSucceeded.Count;
        sync.Failed = (job.Status.Failed ?? 0) + NonIgnoredFailedCount(job, newFailed) + sync.UncountedFailed.Count;

        // First start; a Job created suspended starts when resumed.
        if (job.Status.StartTime is null && !JobSpecs.IsSuspended(job))
        {
            job.Status.StartTime = Now.UtcDateTime;
        }

        sync.NewBackoffRecord = _backoff.NewRecord(key, newSucceeded, newFailed);
        DecideFailure(sync, request, pods);

        Exception? manageError = null;
        var suspendChanged = false;
        if (sync.FinishedCondition is not null)
        {
            var (deletedReady, deleted, error) = await DeleteActivePodsAsync(job, activePods, ct).ConfigureAwait(false);
            if (deleted != active || !satisfied)
            {
                // Not finished yet: some pod is left, or a pod not in the cache yet may exist.
                sync.FinishedCondition = null;
            }

            active -= deleted;
            sync.Terminating += deleted;
            sync.Ready -= deletedReady;
            manageError = error;
        }
        else
        {
            var manageCalled = false;
            if (satisfied && job.Metadata.DeletionTimestamp is null)
            {
                (active, manageError) = await ManageJobAsync(sync, request, ct).ConfigureAwait(false);
                manageCalled = true;
            }

            var complete = job.Spec.Completions is { } completions
                ? sync.Succeeded >= completions && active == 0
                : sync.Succeeded > 0 && active == 0;
            if (complete)
            {
                sync.FinishedCondition = JobConditions.New(JobConditions.SuccessCriteriaMet, "True", JobConditions.ReasonCompletionsReached,
                    "Reached expected number of succeeded pods", Now);
            }
            else if (manageCalled)
            {
                suspendChanged = UpdateSuspendCondition(job);
            }
        }

        var needsStatusUpdate = suspendChanged || active != (job.Status.Active ?? 0) || sync.Ready != job.Status.Ready || sync.Terminating != job.Status.Terminating;
        job.Status.Active = active == 0 ? null : active;
        job.Status.Ready = sync.Ready;
        job.Status.Terminating = sync.Terminating;
        await TrackJobStatusAndRemoveFinalizersAsync(sync, needsStatusUpdate, ct).ConfigureAwait(false);
        if (manageError is not null)
        {
            throw manageError;
        }

        return ReconcileResult.Done;
    }

    /// <summary>
    /// The failure (or success policy) decisions of <c>syncJob</c>: an existing SuccessCriteriaMet or FailureTarget
    /// condition, a FailJob rule, backoffLimit, activeDeadlineSeconds (else a requeue when it will pass), and for
    /// Indexed Jobs the per-index limits and successPolicy.
    /// </summary>
    private void DecideFailure(JobSyncContext sync, ReconcileRequest request, List<V1Pod> pods)
    {
        var job = sync.Job;
        sync.FinishedCondition = JobSpecs.SuccessCriteriaMet(job);
        if (sync.FinishedCondition is null)
        {
            if (JobSpecs.Find(job.Status.Conditions, JobConditions.FailureTarget) is { Status: "True" } target)
            {
                sync.FinishedCondition = JobConditions.New(JobConditions.Failed, "True", target.Reason, target.Message, Now);
            }
            else if (FailJobMessage(job, pods) is { } message)
            {
                sync.FinishedCondition = JobConditions.New(JobConditions.FailureTarget, "True", JobConditions.ReasonPodFailurePolicy, message, Now);
            }
        }

        if (sync.FinishedCondition is null)
        {
            if (sync.Failed > (job.Spec.BackoffLimit ?? 6) || PastBackoffLimitOnFailure(job, pods))
            {
                sync.FinishedCondition = FailureTarget(JobConditions.ReasonBackoffLimitExceeded, "Job has reached the specified backoff limit");
            }
            else if (PastActiveDeadline(job))
            {
                sync.FinishedCondition = FailureTarget(JobConditions.ReasonDeadlineExceeded, "Job was active longer than specified deadline");
            }
            else if (job.Spec.ActiveDeadlineSeconds is { } ads && !JobSpecs.IsSuspended(job) && job.Status.StartTime is { } start)
            {
                var left = TimeSpan.FromSeconds(ads) - (Now - JobPods.Utc(start));
                Controller.Queue.AddAfter(request, left);
            }
        }

        if (!JobSpecs.IsIndexed(job))
        {
            return;
        }

        var completions = job.Spec.Completions ?? 0;
        (sync.PrevSucceededIndexes, sync.SucceededIndexes) = IndexedJobs.SucceededIndexes(job, pods);
        sync.Succeeded = sync.SucceededIndexes.Total;
        if (JobSpecs.HasBackoffLimitPerIndex(job))
        {
            sync.FailedIndexes = IndexedJobs.FailedIndexes(job, pods);
            if (sync.FinishedCondition is null)
            {
                if (job.Spec.MaxFailedIndexes is { } max && sync.FailedIndexes.Total > max)
                {
                    sync.FinishedCondition = FailureTarget(JobConditions.ReasonMaxFailedIndexesExceeded, "Job has exceeded the specified maximal number of failed indexes");
                }
                else if (sync.FailedIndexes.Total > 0 && sync.FailedIndexes.Total + sync.SucceededIndexes.Total >= completions)
                {
                    sync.FinishedCondition = FailureTarget(JobConditions.ReasonFailedIndexes, "Job has failed indexes");
                }
            }

            sync.PodsWithDelayedDeletionPerIndex = IndexedJobs.PodsWithDelayedDeletionPerIndex(sync);
        }

        if (sync.FinishedCondition is null && SuccessPolicyMatch.Match(job.Spec.SuccessPolicy, completions, sync.SucceededIndexes) is { } msg)
        {
            sync.FinishedCondition = JobConditions.New(JobConditions.SuccessCriteriaMet, "True", JobConditions.ReasonSuccessPolicy, msg, Now);
        }
    }

    /// <summary>The Suspended condition and events of a sync that managed pods; true when it changed.</summary>
    private bool UpdateSuspendCondition(V1Job job)
    {
        if (JobSpecs.IsSuspended(job))
        {
            if (JobConditions.Ensure(job.Status, JobConditions.Suspended, "True", "JobSuspended", "Job suspended", Now))
            {
                _events.Event(job, EventRecorder.Normal, "Suspended", "Job suspended");
                return true;
            }

            return false;
        }

        if (JobConditions.Ensure(job.Status, JobConditions.Suspended, "False", "JobResumed", "Job resumed", Now))
        {
            _events.Event(job, EventRecorder.Normal, "Resumed", "Job resumed");

            // activeDeadlineSeconds counts the time the Job is continuously active.
            job.Status.StartTime = Now.UtcDateTime;
            return true;
        }

        return false;
    }

    /// <summary>The interim FailureTarget condition (1.32 delays the terminal Failed until no pod is terminating).</summary>
    private V1JobCondition FailureTarget(string reason, string message) =>
        JobConditions.New(JobConditions.FailureTarget, "True", reason, message, Now);

    private bool PastActiveDeadline(V1Job job) =>
        job.Spec.ActiveDeadlineSeconds is { } ads && job.Status.StartTime is { } start && !JobSpecs.IsSuspended(job) &&
        Now - JobPods.Utc(start) >= TimeSpan.FromSeconds(ads);

    /// <summary>Upstream's <c>pastBackoffLimitOnFailure</c>: restartPolicy OnFailure, and the restarts of running or pending pods reach backoffLimit.</summary>
    private static bool PastBackoffLimitOnFailure(V1Job job, List<V1Pod> pods)
    {
        if (job.Spec.Template?.Spec?.RestartPolicy != "OnFailure")
        {
            return false;
        }

        var restarts = pods.Where(p => p.Status?.Phase is "Running" or "Pending")
            .Sum(p => (p.Status.InitContainerStatuses ?? []).Sum(c => c.RestartCount) + (p.Status.ContainerStatuses ?? []).Sum(c => c.RestartCount));
        var limit = job.Spec.BackoffLimit ?? 6;
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    /// <summary>Upstream's <c>getFailJobMessage</c>: the message of the first failed pod matching a FailJob rule.</summary>
    private static string? FailJobMessage(V1Job job, List<V1Pod> pods)
    {
        if (job.Spec.PodFailurePolicy is null)
        {
            return null;
        }

        foreach (var p in pods)
        {
            if (JobPods.IsFailed(p, job) && PodFailurePolicyMatch.Match(job.Spec.PodFailurePolicy, p).FailJobMessage is { } message)
            {
                return message;
            }
        }

        return null;
    }

    private static int NonIgnoredFailedCount(V1Job job, List<V1Pod> failed) =>
        job.Spec.PodFailurePolicy is null ? failed.Count : failed.Count(p => PodFailurePolicyMatch.Match(job.Spec.PodFailurePolicy, p).CountFailed);

    /// <summary>Upstream's <c>getNewFinishedPods</c>: finished pods still carrying the finalizer, not uncounted yet.</summary>
    private static (List<V1Pod> Succeeded, List<V1Pod> Failed) NewFinishedPods(JobSyncContext sync) =>
        (ValidPods(sync, sync.UncountedSucceeded, JobPods.IsSucceeded), ValidPods(sync, sync.UncountedFailed, p => JobPods.IsFailed(p, sync.Job)));

    /// <summary>Upstream's <c>getValidPodsWithFilter</c>.</summary>
    private static List<V1Pod> ValidPods(JobSyncContext sync, HashSet<string>? uncounted, Func<V1Pod, bool> filter)
    {
        var result = new List<V1Pod>();
        var indexed = JobSpecs.IsIndexed(sync.Job);
        foreach (var p in sync.Pods)
        {
            var uid = p.Metadata.Uid;
            if (!JobPods.HasTrackingFinalizer(p) || uncounted?.Contains(uid) == true || sync.ExpectedRemovedFinalizers.Contains(uid))
            {
                continue;
            }

            if (indexed && JobPods.CompletionIndex(p) is var ix && (ix == JobPods.UnknownIndex || ix >= (sync.Job.Spec.Completions ?? 0)))
            {
                continue;
            }

            if (filter(p))
            {
                result.Add(p);
            }
        }

        return result;
    }

    /// <summary>
    /// Upstream's <c>getPodsForJob</c>: every pod of the namespace claimed through the selector (adopting orphans,
    /// with the tracking finalizer; releasing pods that stopped matching); adopted pods count as carrying the finalizer.
    /// </summary>
    private async Task<List<V1Pod>> GetPodsForJobAsync(V1Job job, CancellationToken ct)
    {
        var selector = Selectors.From(job.Spec.Selector);
        var ns = job.Metadata.NamespaceProperty;
        var manager = new ControllerRefManager<V1Pod>(job.Metadata, "batch/v1", "Job", selector,
            async c =>
            {
                var fresh = await Jobs(ns).GetAsync(job.Metadata.Name, ct: c).ConfigureAwait(false);
                if (fresh.Metadata.Uid != job.Metadata.Uid)
                {
                    throw new InvalidOperationException($"original Job {ns}/{job.Metadata.Name} is gone: got uid {fresh.Metadata.Uid}, wanted {job.Metadata.Uid}");
                }

                if (fresh.Metadata.DeletionTimestamp is { } at)
                {
                    throw new InvalidOperationException($"{ns}/{job.Metadata.Name} has just been deleted at {at:O}");
                }
            },
            (pod, patch, c) =>
            {
                if (patch["metadata"]?["ownerReferences"]?[0]?["controller"] is not null)
                {
                    // Adoption adds the tracking finalizer too (upstream's NewPodControllerRefManager with finalizers).
                    patch["metadata"]!["finalizers"] = new System.Text.Json.Nodes.JsonArray(JobPods.TrackingFinalizer);
                }

                return _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, ct: c);
            });
        var claimed = await manager.ClaimAsync(_pods.Lister.List(ns), ct).ConfigureAwait(false);
        for (var i = 0; i < claimed.Count; i++)
        {
            var p = claimed[i];
            var adopted = p.Metadata.OwnerReferences?.All(r => r.Uid != job.Metadata.Uid) ?? true;
            if (adopted && !JobPods.HasTrackingFinalizer(p))
            {
                var copy = KubernetesSerialization.DeepCopy(p);
                copy.Metadata.Finalizers = [.. copy.Metadata.Finalizers ?? [], JobPods.TrackingFinalizer];
                claimed[i] = copy;
            }
        }

        return claimed;
    }

    private ResourceClient<V1Job, V1JobList> Jobs(string ns) => _ctx.Clientset.Resource<V1Job, V1JobList>(ns);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {Key}: cached version {Version} is older than this controller's last status write; waiting for the newer one")]
    private partial void LogStaleCache(string key, string version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {Key}: too few pods running, need {Need}, creating {Creating}")]
    private partial void LogTooFew(string key, int need, int creating);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {Key}: too many pods running, deleting {Deleting}, target {Target}")]
    private partial void LogTooMany(string key, int deleting, int target);

    [LoggerMessage(Level = LogLevel.Debug, Message = "job {Key}: pod creation delayed {Delay} by the failure back-off")]
    private partial void LogBackoff(string key, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {Key}: removing the tracking finalizer of pod {Pod} failed: {Error}")]
    private partial void LogFinalizerRemovalFailed(string key, string pod, string error);
}
