using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>
/// Keeps the number of active pods of each ReplicaSet (or ReplicationController, through <see cref="IReplicaSetKind"/>)
/// at its <c>spec.replicas</c>, as upstream's <c>pkg/controller/replicaset</c>:
/// <list type="bullet">
/// <item>A sync acts only once the creations and deletions it asked for were seen in the pod informer
/// (<see cref="ControllerExpectations"/>), so a lagging cache never doubles a scale-up.</item>
/// <item>It claims pods through <see cref="ControllerRefManager{T}"/>: adopts matching orphans, releases pods that stopped
/// matching.</item>
/// <item>It creates at most <see cref="BurstReplicas"/> pods per sync, in slow-start batches (1, 2, 4, …), named by
/// <c>generateName</c> <c>&lt;name&gt;-</c>; on scale-down it deletes the pods <see cref="ActivePodsWithRanks"/> ranks
/// first. Events: <c>SuccessfulCreate</c>, <c>FailedCreate</c>, <c>SuccessfulDelete</c>, <c>FailedDelete</c>.</item>
/// <item>It writes replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration and the
/// <c>ReplicaFailure</c> condition through the status subresource, only when they changed.</item>
/// </list>
/// </summary>
internal sealed partial class ReplicaSetController : IReconciler
{
    /// <summary>Upstream's <c>BurstReplicas</c>: the most pods created or deleted by one sync.</summary>
    public const int BurstReplicas = 500;

    /// <summary>Upstream's <c>ConcurrentRSSyncs</c> default.</summary>
    public const int Workers = 5;

    private readonly ControllerContext _ctx;
    private readonly IReplicaSetKind _kind;
    private readonly OwnerLookup<V1ReplicaSet> _owners;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    public ReplicaSetController(ControllerContext ctx, IReplicaSetKind kind)
    {
        _ctx = ctx;
        _kind = kind;
        _owners = new OwnerLookup<V1ReplicaSet>(kind.Kind, kind.Get, kind.List, rs => rs.Spec.Selector);
        _pods = ctx.Manager.Informers.Informer<V1Pod>();
        _events = ctx.Manager.CreateEventRecorder(kind.Component);
        _logger = ctx.LoggerFactory.CreateLogger<ReplicaSetController>();
        Expectations = new ControllerExpectations();
        Controller = ctx.NewController(kind.ControllerName, this, Workers);
    }

    /// <summary>The runnable (queue and workers) the manager runs.</summary>
    public Controller Controller { get; }

    /// <summary>The outstanding creations and deletions per <c>namespace/name</c>.</summary>
    public ControllerExpectations Expectations { get; }

    /// <summary>Registers a controller of <paramref name="kind"/> with the context's manager.</summary>
    public static ReplicaSetController Register(ControllerContext ctx, IReplicaSetKind kind)
    {
        var c = new ReplicaSetController(ctx, kind);
        kind.AddHandler(c.Enqueue, (_, cur) => c.Enqueue(cur), c.OnOwnerDeleted);
        c._pods.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => c.OnPodAdded(p), c.OnPodUpdated, (p, _) => c.OnPodDeleted(p)));
        ctx.Manager.Add(c.Controller);
        return c;
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = request.Namespace ?? "";
        var key = request.ToString();
        var rs = _kind.Get(ns, request.Name);
        if (rs is null)
        {
            Expectations.Delete(key);
            return ReconcileResult.Done;
        }

        var needsSync = Expectations.Satisfied(key);
        Skiff.Api.Selectors.LabelSelector selector;
        try
        {
            selector = Selectors.From(rs.Spec.Selector);
        }
        catch (Skiff.Api.Selectors.SelectorParseException e)
        {
            // Retrying cannot fix it (upstream logs and drops it too).
            LogBadSelector(_kind.Kind, key, e.Message);
            return ReconcileResult.Done;
        }

        var all = _pods.Lister.List(ns);
        var claimed = await ClaimPodsAsync(rs, selector, PodStatusUtil.FilterActive(all), ct).ConfigureAwait(false);

        Exception? manageError = null;
        if (needsSync && rs.Metadata.DeletionTimestamp is null)
        {
            try
            {
                await ManageReplicasAsync(claimed, rs, key, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                manageError = e;
            }
        }

        var status = ReplicaSetStatusCalculator.Calculate(rs, claimed, manageError, _ctx.TimeProvider.GetUtcNow());
        var updated = await UpdateStatusAsync(rs, status, ct).ConfigureAwait(false);
        if (manageError is not null)
        {
            throw manageError;
        }

        var replicas = updated.Spec.Replicas ?? 1;
        var minReady = updated.Spec.MinReadySeconds ?? 0;
        return minReady > 0 && updated.Status?.ReadyReplicas == replicas && updated.Status?.AvailableReplicas != replicas
            ? ReconcileResult.After(TimeSpan.FromSeconds(minReady))
            : ReconcileResult.Done;
    }

    private async Task<List<V1Pod>> ClaimPodsAsync(V1ReplicaSet rs, Skiff.Api.Selectors.LabelSelector selector, List<V1Pod> pods, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1Pod>(rs.Metadata, _kind.ApiVersion, _kind.Kind, selector,
            async c =>
            {
                var fresh = await _kind.GetFreshAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, c).ConfigureAwait(false);
                if (fresh.Metadata.Uid != rs.Metadata.Uid)
                {
                    throw new InvalidOperationException($"original {_kind.Kind} {rs.Metadata.NamespaceProperty}/{rs.Metadata.Name} is gone: got uid {fresh.Metadata.Uid}, wanted {rs.Metadata.Uid}");
                }

                if (fresh.Metadata.DeletionTimestamp is { } at)
                {
                    throw new InvalidOperationException($"{rs.Metadata.NamespaceProperty}/{rs.Metadata.Name} has just been deleted at {at:O}");
                }
            },
            (pod, patch, c) => _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                .PatchAsync(pod.Metadata.Name, Skiff.Client.Rest.PatchType.StrategicMerge, patch, ct: c));
        return await manager.ClaimAsync(pods, ct).ConfigureAwait(false);
    }

    private async Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, V1ReplicaSetStatus status, CancellationToken ct)
    {
        var old = rs.Status ?? new V1ReplicaSetStatus();
        if (old.Replicas == status.Replicas && old.FullyLabeledReplicas == status.FullyLabeledReplicas &&
            old.ReadyReplicas == status.ReadyReplicas && old.AvailableReplicas == status.AvailableReplicas &&
            rs.Metadata.Generation == old.ObservedGeneration && ReplicaSetStatusCalculator.ConditionsEqual(old.Conditions, status.Conditions))
        {
            return rs;
        }

        status.ObservedGeneration = rs.Metadata.Generation;
        var copy = Skiff.Client.Rest.KubernetesSerialization.DeepCopy(rs);
        copy.Status = status;
        try
        {
            return await _kind.UpdateStatusAsync(copy, ct).ConfigureAwait(false);
        }
        catch (Skiff.Client.Rest.KubernetesApiException e) when (e.IsConflict)
        {
            // Upstream retries once with a fresh copy.
            var fresh = await _kind.GetFreshAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, ct).ConfigureAwait(false);
            fresh.Status = status;
            return await _kind.UpdateStatusAsync(fresh, ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Kind} {Key}: invalid selector: {Error}")]
    private partial void LogBadSelector(string kind, string key, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind} {Key}: too few replicas, need {Need}, creating {Creating}")]
    private partial void LogTooFew(string kind, string key, int need, int creating);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind} {Key}: too many replicas, need {Need}, deleting {Deleting}")]
    private partial void LogTooMany(string kind, string key, int need, int deleting);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind} {Key}: slow-start failure, skipping creation of {Skipped} pods")]
    private partial void LogSkipped(string kind, string key, int skipped);
}
