using Cronos;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.CronJob;

/// <summary>
/// Upstream's <c>cronjob</c> controller (<c>pkg/controller/cronjob/cronjob_controllerv2.go</c>): starts a Job for the
/// most recent unmet activation of each CronJob's schedule (Cronos, in <c>spec.timeZone</c>, default UTC), honouring
/// suspend, startingDeadlineSeconds (a start later than the deadline is a MissSchedule), concurrencyPolicy Allow,
/// Forbid (skip while one is active) and Replace (delete the active ones first); keeps <c>status.active</c>,
/// <c>lastScheduleTime</c> and <c>lastSuccessfulTime</c>; deletes the oldest finished Jobs beyond the history limits;
/// and requeues itself for the next activation (100 ms after it, on the manager's <see cref="TimeProvider"/>).
/// Jobs are named <c>&lt;cronjob&gt;-&lt;minutes since epoch&gt;</c> so a start is never made twice.
/// </summary>
internal sealed partial class CronJobController : IReconciler
{
    /// <summary>Upstream's <c>nextScheduleDelta</c>: wake a little after the activation.</summary>
    private static readonly TimeSpan NextScheduleDelta = TimeSpan.FromMilliseconds(100);

    private readonly ControllerContext _ctx;
    private readonly Lister<V1CronJob> _cronJobs;
    private readonly Lister<V1Job> _jobs;
    private readonly StaleVersions _ownWrites = new();
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    private CronJobController(ControllerContext ctx)
    {
        _ctx = ctx;
        _cronJobs = ctx.Manager.Informers.Informer<V1CronJob>().Lister;
        _jobs = ctx.Manager.Informers.Informer<V1Job>().Lister;
        _events = ctx.Manager.CreateEventRecorder("cronjob-controller");
        _logger = ctx.LoggerFactory.CreateLogger<CronJobController>();
    }

    /// <summary>Registers the controller: CronJobs, and the Jobs they control.</summary>
    public static Controller Register(ControllerContext ctx) =>
        ctx.Manager.CreateController().Named("cronjob").For<V1CronJob>().Owns<V1Job>().WithWorkers(5).Complete(new CronJobController(ctx));

    private DateTimeOffset Now => _ctx.TimeProvider.GetUtcNow();

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var key = $"{request.Namespace}/{request.Name}";
        if (_cronJobs.Get(request.Namespace, request.Name) is not { } cached)
        {
            _ownWrites.Forget(key);
            return ReconcileResult.Done;
        }

        if (_ownWrites.IsStale(key, cached.Metadata.ResourceVersion))
        {
            // The cache still holds a version this controller's own status write replaced: it lacks the Jobs that write
            // recorded as active (Forbid would start a second one). The informer's event for the newer version syncs again.
            return ReconcileResult.Done;
        }

        var cj = KubernetesSerialization.DeepCopy(cached);
        cj.Status ??= new V1CronJobStatus();
        var jobs = _jobs.List(request.Namespace).Where(j => ControllerRefManager<V1Job>.ControllerOf(j.Metadata)?.Uid == cj.Metadata.Uid).ToList();
        var (requeue, dirty) = await SyncAsync(cj, jobs, ct).ConfigureAwait(false);
        if (dirty)
        {
            await Client(cj).UpdateStatusAsync(cj, ct: ct).ConfigureAwait(false);
            _ownWrites.Replaced(key, cached.Metadata.ResourceVersion);
        }

        await CleanupFinishedJobsAsync(cj, jobs, ct).ConfigureAwait(false);
        return requeue is { } after ? ReconcileResult.After(after) : ReconcileResult.Done;
    }

    /// <summary>Upstream's <c>syncCronJob</c>: the requeue delay (null: none) and whether the status changed.</summary>
    private async Task<(TimeSpan? Requeue, bool Dirty)> SyncAsync(V1CronJob cj, List<V1Job> jobs, CancellationToken ct)
    {
        var dirty = await ReconcileActiveAsync(cj, jobs, ct).ConfigureAwait(false);
        if (cj.Metadata.DeletionTimestamp is not null)
        {
            return (null, dirty);
        }

        if (!CronSchedule.TryFindZone(cj.Spec.TimeZone, out var zone))
        {
            _events.Event(cj, EventRecorder.Warning, "UnknownTimeZone", $"invalid timeZone: \"{cj.Spec.TimeZone}\": unknown time zone {cj.Spec.TimeZone}");
            return (null, dirty);
        }

        if (cj.Spec.Suspend == true)
        {
            return (null, dirty);
        }

        if (cj.Spec.Schedule.Contains("TZ", StringComparison.Ordinal))
        {
            _events.Event(cj, EventRecorder.Warning, "UnsupportedSchedule",
                $"CRON_TZ or TZ used in schedule \"{cj.Spec.Schedule}\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
            return (null, dirty);
        }

        CronSchedule sched;
        try
        {
            sched = CronSchedule.Parse(cj.Spec.Schedule, zone);
        }
        catch (CronFormatException e)
        {
            _events.Event(cj, EventRecorder.Warning, "UnparseableSchedule", $"unparseable schedule: \"{cj.Spec.Schedule}\" : {e.Message}");
            return (null, dirty);
        }

        var now = Now;
        var (scheduled, missed) = sched.MostRecent(Earliest(cj, now), now);
        if (scheduled is not { } at)
        {
            return (NextDelay(cj, sched, now), dirty);
        }

        if (missed > 100)
        {
            _events.Event(cj, EventRecorder.Warning, "TooManyMissedTimes",
                $"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }

        if (cj.Spec.StartingDeadlineSeconds is { } sds && at.AddSeconds(sds) < now)
        {
            _events.Event(cj, EventRecorder.Warning, "MissSchedule", $"Missed scheduled time to start a job: {at.UtcDateTime:ddd, dd MMM yyyy HH:mm:ss} +0000");
            return (NextDelay(cj, sched, now), dirty);
        }

        var jobName = CronJobNames.JobName(cj.Metadata.Name, at);
        if (cj.Status.Active?.Any(r => r.Name == jobName) == true || Utc(cj.Status.LastScheduleTime) == at)
        {
            return (NextDelay(cj, sched, now), dirty);
        }

        if (cj.Spec.ConcurrencyPolicy == "Forbid" && cj.Status.Active is { Count: > 0 })
        {
            _events.Event(cj, EventRecorder.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return (NextDelay(cj, sched, now), dirty);
        }

        if (cj.Spec.ConcurrencyPolicy == "Replace")
        {
            foreach (var active in cj.Status.Active?.ToList() ?? [])
            {
                // From the server, as upstream's jobControl.GetJob: the Job informer may not have seen a Job this
                // controller just created, and dropping it from status.active unseen would leave it running for good.
                V1Job j;
                try
                {
                    j = await Jobs(active.NamespaceProperty ?? cj.Metadata.NamespaceProperty).GetAsync(active.Name, ct: ct).ConfigureAwait(false);
                }
                catch (KubernetesApiException e)
                {
                    _events.Event(cj, EventRecorder.Warning, "FailedGet", $"Get job: {e.Message}");
                    throw;
                }

                if (j.Metadata.Uid == active.Uid)
                {
                    await DeleteJobAsync(cj, j, ct).ConfigureAwait(false);
                }

                cj.Status.Active!.Remove(active);
                dirty = true;
            }
        }

        V1Job created;
        try
        {
            created = await Jobs(cj.Metadata.NamespaceProperty).CreateAsync(CronJobNames.JobFor(cj, at, zone), ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
            // Created by an earlier attempt (or someone else): that attempt recorded it.
            return (NextDelay(cj, sched, now), dirty);
        }
        catch (KubernetesApiException e)
        {
            _events.Event(cj, EventRecorder.Warning, "FailedCreate", $"Error creating job: {e.Message}");
            throw;
        }

        _events.Event(cj, EventRecorder.Normal, "SuccessfulCreate", $"Created job {created.Metadata.Name}");
        LogCreated(cj.Metadata.NamespaceProperty, cj.Metadata.Name, created.Metadata.Name, at);
        cj.Status.Active ??= [];
        cj.Status.Active.Add(new V1ObjectReference
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Name = created.Metadata.Name,
            NamespaceProperty = created.Metadata.NamespaceProperty,
            Uid = created.Metadata.Uid,
            ResourceVersion = created.Metadata.ResourceVersion,
        });
        cj.Status.LastScheduleTime = at.UtcDateTime;
        return (NextDelay(cj, sched, now), true);
    }

    /// <summary>
    /// The first half of <c>syncCronJob</c>: drops finished and vanished Jobs from <c>status.active</c>. A Job the cache
    /// has not seen yet (just created) is confirmed gone with a GET before it is dropped, as upstream does.
    /// </summary>
    private async Task<bool> ReconcileActiveAsync(V1CronJob cj, List<V1Job> jobs, CancellationToken ct)
    {
        var dirty = false;
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var j in jobs)
        {
            uids.Add(j.Metadata.Uid);
            var isActive = cj.Status.Active?.FirstOrDefault(r => r.Uid == j.Metadata.Uid);
            var finished = CronJobNames.Finished(j);
            if (isActive is null && finished is null)
            {
                // Upstream only reports it when it is newer than the last schedule; either way it is not adopted.
                _events.Event(cj, EventRecorder.Warning, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {j.Metadata.Name}");
            }
            else if (isActive is not null && finished is not null)
            {
                cj.Status.Active!.Remove(isActive);
                dirty = true;
                _events.Event(cj, EventRecorder.Normal, "SawCompletedJob", $"Saw completed job: {j.Metadata.Name}, condition: {finished}");
                if (finished == "Complete" && j.Status?.CompletionTime is { } done &&
                    (cj.Status.LastSuccessfulTime is not { } last || Utc(last) < Utc(done)))
                {
                    cj.Status.LastSuccessfulTime = done;
                }
            }
        }

        foreach (var r in cj.Status.Active?.ToList() ?? [])
        {
            if (!uids.Contains(r.Uid) && !await ExistsAsync(r, ct).ConfigureAwait(false))
            {
                _events.Event(cj, EventRecorder.Normal, "MissingJob", $"Active job went missing: {r.Name}");
                cj.Status.Active!.Remove(r);
                dirty = true;
            }
        }

        return dirty;
    }

    /// <summary>Whether the referenced Job exists on the server (a slow watch must not make it look missing).</summary>
    private async Task<bool> ExistsAsync(V1ObjectReference job, CancellationToken ct)
    {
        try
        {
            await Jobs(job.NamespaceProperty).GetAsync(job.Name, ct: ct).ConfigureAwait(false);
            return true;
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Upstream's <c>cleanupFinishedJobs</c>: the oldest finished Jobs beyond each history limit go.</summary>
    private async Task CleanupFinishedJobsAsync(V1CronJob cj, List<V1Job> jobs, CancellationToken ct)
    {
        if (cj.Spec.FailedJobsHistoryLimit is null && cj.Spec.SuccessfulJobsHistoryLimit is null)
        {
            return;
        }

        foreach (var (kind, limit) in new[] { ("Complete", cj.Spec.SuccessfulJobsHistoryLimit), ("Failed", cj.Spec.FailedJobsHistoryLimit) })
        {
            if (limit is not { } max)
            {
                continue;
            }

            // byJobStartTime: no start time last, then the oldest first, names breaking ties.
            var finished = jobs.Where(j => CronJobNames.Finished(j) == kind && j.Metadata.DeletionTimestamp is null)
                .OrderBy(j => j.Status?.StartTime is null)
                .ThenBy(j => j.Status?.StartTime ?? DateTime.MaxValue)
                .ThenBy(j => j.Metadata.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var j in finished.Take(Math.Max(0, finished.Count - max)))
            {
                await DeleteJobAsync(cj, j, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task DeleteJobAsync(V1CronJob cj, V1Job job, CancellationToken ct)
    {
        try
        {
            await Jobs(job.Metadata.NamespaceProperty).DeleteAsync(job.Metadata.Name, new DeleteOptions { PropagationPolicy = "Background" }, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return;
        }
        catch (KubernetesApiException e)
        {
            _events.Event(cj, EventRecorder.Warning, "FailedDelete", $"Deleted job: {e.Message}");
            throw;
        }

        _events.Event(cj, EventRecorder.Normal, "SuccessfulDelete", $"Deleted job {job.Metadata.Name}");
    }

    /// <summary>Where the search for unmet activations starts (upstream's <c>earliestTime</c>).</summary>
    private static DateTimeOffset Earliest(V1CronJob cj, DateTimeOffset now)
    {
        var earliest = cj.Status?.LastScheduleTime is { } last ? Utc(last) : Utc(cj.Metadata.CreationTimestamp ?? now.UtcDateTime);
        if (cj.Spec.StartingDeadlineSeconds is { } sds && now.AddSeconds(-sds) > earliest)
        {
            earliest = now.AddSeconds(-sds);
        }

        return earliest;
    }

    /// <summary>Upstream's <c>nextScheduleTimeDuration</c>: until just after the next activation.</summary>
    private static TimeSpan? NextDelay(V1CronJob cj, CronSchedule sched, DateTimeOffset now)
    {
        var from = sched.MostRecent(Earliest(cj, now), now).MostRecent ?? Earliest(cj, now);
        return sched.Next(from) is { } next ? next + NextScheduleDelta - now : null;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? Utc(v) : null;

    private ResourceClient<V1CronJob, V1CronJobList> Client(V1CronJob cj) => _ctx.Clientset.Resource<V1CronJob, V1CronJobList>(cj.Metadata.NamespaceProperty);

    private ResourceClient<V1Job, V1JobList> Jobs(string ns) => _ctx.Clientset.Resource<V1Job, V1JobList>(ns);

    [LoggerMessage(Level = LogLevel.Information, Message = "cronjob {Namespace}/{Name}: created job {Job} for {Scheduled:O}")]
    private partial void LogCreated(string @namespace, string name, string job, DateTimeOffset scheduled);
}
