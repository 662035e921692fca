using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Job;

namespace Skiff.Controllers.TtlAfterFinished;

/// <summary>
/// Deletes finished Jobs once <c>spec.ttlSecondsAfterFinished</c> has passed since they finished, as upstream's
/// <c>pkg/controller/ttlafterfinished</c>: a Job that is Complete or Failed (the condition's lastTransitionTime is the
/// finish time) and not being deleted is requeued until its TTL expires; then the controller re-reads it from the API
/// server (the TTL may have changed) and, if it truly expired, deletes it with foreground propagation and a uid
/// precondition, so the garbage collector removes its pods before the Job disappears.
/// </summary>
internal sealed partial class TtlAfterFinishedController : IReconciler
{
    /// <summary>Upstream's <c>ConcurrentTTLSyncs</c> default.</summary>
    public const int Workers = 5;

    private readonly ControllerContext _ctx;
    private readonly SharedIndexInformer<V1Job> _jobs;
    private readonly ILogger _logger;

    public TtlAfterFinishedController(ControllerContext ctx)
    {
        _ctx = ctx;
        _jobs = ctx.Manager.Informers.Informer<V1Job>();
        _logger = ctx.LoggerFactory.CreateLogger<TtlAfterFinishedController>();
        Controller = ctx.NewController("ttl-after-finished", this, Workers, queueName: "ttl_jobs_to_delete");
    }

    /// <summary>The runnable the manager runs.</summary>
    public Controller Controller { get; }

    /// <summary>Registers the controller with the context's manager.</summary>
    public static void Register(ControllerContext ctx)
    {
        var c = new TtlAfterFinishedController(ctx);
        c._jobs.AddEventHandler(new ResourceEventHandler<V1Job>((j, _) => c.OnJob(j), (_, j) => c.OnJob(j)));
        ctx.Manager.Add(c.Controller);
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (_jobs.Lister.Get(request.Namespace, request.Name) is not { } cached)
        {
            return ReconcileResult.Done;
        }

        var left = TimeLeft(cached);
        if (left is not { } l)
        {
            return ReconcileResult.Done;
        }

        if (l > TimeSpan.Zero)
        {
            return ReconcileResult.After(l);
        }

        // The cached Job may be stale (its TTL changed): decide again on a fresh read.
        V1Job fresh;
        try
        {
            fresh = await _ctx.Clientset.Resource<V1Job, V1JobList>(request.Namespace).GetAsync(request.Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return ReconcileResult.Done;
        }

        left = TimeLeft(fresh);
        if (left is not { } freshLeft)
        {
            return ReconcileResult.Done;
        }

        if (freshLeft > TimeSpan.Zero)
        {
            return ReconcileResult.After(freshLeft);
        }

        LogDeleting(request.ToString());
        try
        {
            await _ctx.Clientset.Resource<V1Job, V1JobList>(request.Namespace).DeleteAsync(request.Name,
                new DeleteOptions { PropagationPolicy = "Foreground", PreconditionUid = fresh.Metadata.Uid }, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
        }

        return ReconcileResult.Done;
    }

    /// <summary>
    /// The time until <paramref name="job"/>'s TTL expires (zero or less: expired); null when it needs no clean-up
    /// (no TTL, not finished, being deleted).
    /// </summary>
    /// <exception cref="InvalidOperationException">The finished condition has no lastTransitionTime.</exception>
    public TimeSpan? TimeLeft(V1Job job)
    {
        if (job.Metadata.DeletionTimestamp is not null || !NeedsCleanup(job))
        {
            return null;
        }

        var finishedAt = FinishTime(job);
        var now = _ctx.TimeProvider.GetUtcNow();
        if (finishedAt > now)
        {
            LogFinishedInFuture(job.Metadata.NamespaceProperty, job.Metadata.Name);
        }

        return finishedAt.AddSeconds(job.Spec.TtlSecondsAfterFinished!.Value) - now;
    }

    /// <summary>Upstream's <c>needsCleanup</c>: a TTL is set and the Job is finished.</summary>
    public static bool NeedsCleanup(V1Job job) => job.Spec.TtlSecondsAfterFinished is not null && JobSpecs.IsFinished(job);

    /// <summary>Upstream's <c>jobFinishTime</c>: the lastTransitionTime of the True Complete or Failed condition.</summary>
    /// <exception cref="InvalidOperationException">The condition or its time is missing.</exception>
    public static DateTimeOffset FinishTime(V1Job job)
    {
        foreach (var c in job.Status?.Conditions ?? [])
        {
            if (c.Type is JobConditions.Complete or JobConditions.Failed && c.Status == "True")
            {
                return c.LastTransitionTime is { } t
                    ? JobPods.Utc(t)
                    : throw new InvalidOperationException($"unable to find the time when the Job {job.Metadata.NamespaceProperty}/{job.Metadata.Name} finished");
            }
        }

        throw new InvalidOperationException($"unable to find the status of the finished Job {job.Metadata.NamespaceProperty}/{job.Metadata.Name}");
    }

    private void OnJob(V1Job job)
    {
        if (job.Metadata.DeletionTimestamp is null && NeedsCleanup(job))
        {
            Controller.Queue.Add(new ReconcileRequest(job.Metadata.NamespaceProperty, job.Metadata.Name));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ttl-after-finished: cleaning up Job {Key}")]
    private partial void LogDeleting(string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Found Job {Namespace}/{Name} finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred.")]
    private partial void LogFinishedInFuture(string @namespace, string name);
}
