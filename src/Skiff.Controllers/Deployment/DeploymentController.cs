using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Deployment;

/// <summary>
/// Rolls Deployments out through ReplicaSets, as upstream's <c>pkg/controller/deployment</c>:
/// <list type="bullet">
/// <item>claims the ReplicaSets its selector matches (adopting orphans, releasing the ones that stopped matching);</item>
/// <item>finds or creates the new ReplicaSet <c>&lt;name&gt;-&lt;pod-template-hash&gt;</c> (see <see cref="PodTemplateHash"/>),
/// bumping collisionCount when that name is taken by another template;</item>
/// <item>RollingUpdate scales the new one up and the old ones down within maxSurge/maxUnavailable; Recreate scales
/// the old ones to zero and waits until their pods are gone before scaling the new one up;</item>
/// <item>a scaling event or a paused Deployment scales every active ReplicaSet proportionally instead;</item>
/// <item>keeps the revision annotations (copied annotations, <c>revision</c>, <c>revision-history</c>,
/// <c>desired-replicas</c>, <c>max-replicas</c>), deletes old ReplicaSets beyond revisionHistoryLimit, and writes the
/// status with the Progressing (progressDeadlineSeconds) and Available conditions.</item>
/// </list>
/// Rollback is the client's job (kubectl 1.32 patches the template back from an old ReplicaSet); the deprecated
/// <c>rollbackTo</c> annotation is ignored.
/// </summary>
internal sealed partial class DeploymentController : IReconciler
{
    /// <summary>Upstream's <c>ConcurrentDeploymentSyncs</c> default.</summary>
    public const int Workers = 5;

    private readonly ControllerContext _ctx;
    private readonly SharedIndexInformer<V1Deployment> _deployments;
    private readonly OwnerLookup<V1Deployment> _owners;
    private readonly SharedIndexInformer<V1ReplicaSet> _replicaSets;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    public DeploymentController(ControllerContext ctx)
    {
        _ctx = ctx;
        _deployments = ctx.Manager.Informers.Informer<V1Deployment>();
        _owners = new OwnerLookup<V1Deployment>("Deployment", _deployments.Lister, d => d.Spec.Selector);
        _replicaSets = ctx.Manager.Informers.Informer<V1ReplicaSet>();
        _pods = ctx.Manager.Informers.Informer<V1Pod>();
        _events = ctx.Manager.CreateEventRecorder("deployment-controller");
        _logger = ctx.LoggerFactory.CreateLogger<DeploymentController>();
        Controller = ctx.NewController("deployment", this, Workers);
    }

    /// <summary>The runnable (queue and workers) the manager runs.</summary>
    public Controller Controller { get; }

    /// <summary>Registers the controller with the context's manager.</summary>
    public static DeploymentController Register(ControllerContext ctx)
    {
        var c = new DeploymentController(ctx);
        c._deployments.AddEventHandler(new ResourceEventHandler<V1Deployment>((d, _) => c.Enqueue(d), (_, d) => c.Enqueue(d), (d, _) => c.Enqueue(d)));
        c._replicaSets.AddEventHandler(new ResourceEventHandler<V1ReplicaSet>((rs, _) => c.OnReplicaSetAdded(rs), c.OnReplicaSetUpdated, (rs, _) => c.OnReplicaSetDeleted(rs)));
        c._pods.AddEventHandler(new ResourceEventHandler<V1Pod>(onDelete: (p, _) => c.OnPodDeleted(p)));
        ctx.Manager.Add(c.Controller);
        return c;
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (_deployments.Lister.Get(request.Namespace, request.Name) is not { } cached)
        {
            return ReconcileResult.Done;
        }

        var d = KubernetesSerialization.DeepCopy(cached);
        d.Status ??= new V1DeploymentStatus();
        if (d.Spec.Selector is null || Selectors.From(d.Spec.Selector).IsEmpty)
        {
            _events.Event(d, EventRecorder.Warning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((d.Status.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0))
            {
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await UpdateStatusAsync(d, ct).ConfigureAwait(false);
            }

            return ReconcileResult.Done;
        }

        var rsList = await ClaimReplicaSetsAsync(d, ct).ConfigureAwait(false);
        if (d.Metadata.DeletionTimestamp is not null)
        {
            var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, false, ct).ConfigureAwait(false);
            await SyncDeploymentStatusAsync([.. oldRSs, newRS], newRS, d, ct).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        await CheckPausedConditionsAsync(d, ct).ConfigureAwait(false);
        if (d.Spec.Paused == true || await IsScalingEventAsync(d, rsList, ct).ConfigureAwait(false))
        {
            await SyncAsync(d, rsList, ct).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        return DeploymentUtil.IsRollingUpdate(d)
            ? await RolloutRollingAsync(d, rsList, ct).ConfigureAwait(false)
            : await RolloutRecreateAsync(d, rsList, PodMap(d, rsList), ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>getReplicaSetsForDeployment</c>: the namespace's ReplicaSets, claimed.</summary>
    private async Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(V1Deployment d, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1ReplicaSet>(d.Metadata, "apps/v1", "Deployment", Selectors.From(d.Spec.Selector),
            async c =>
            {
                var fresh = await _ctx.Clientset.AppsV1().Deployments(d.Metadata.NamespaceProperty).GetAsync(d.Metadata.Name, ct: c).ConfigureAwait(false);
                if (fresh.Metadata.Uid != d.Metadata.Uid)
                {
                    throw new InvalidOperationException($"original Deployment {d.Metadata.NamespaceProperty}/{d.Metadata.Name} is gone: got uid {fresh.Metadata.Uid}, wanted {d.Metadata.Uid}");
                }

                if (fresh.Metadata.DeletionTimestamp is { } at)
                {
                    throw new InvalidOperationException($"{d.Metadata.NamespaceProperty}/{d.Metadata.Name} has just been deleted at {at:O}");
                }
            },
            (rs, patch, c) => _ctx.Clientset.AppsV1().ReplicaSets(rs.Metadata.NamespaceProperty).PatchAsync(rs.Metadata.Name, PatchType.StrategicMerge, patch, ct: c));
        return await manager.ClaimAsync(_replicaSets.Lister.List(d.Metadata.NamespaceProperty), ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>getPodMapForDeployment</c>: per claimed ReplicaSet uid, the selected pods it controls.</summary>
    private Dictionary<string, List<V1Pod>> PodMap(V1Deployment d, IReadOnlyList<V1ReplicaSet> rsList)
    {
        var map = rsList.ToDictionary(rs => rs.Metadata.Uid, _ => new List<V1Pod>(), StringComparer.Ordinal);
        foreach (var pod in _pods.Lister.List(d.Metadata.NamespaceProperty, Selectors.From(d.Spec.Selector)))
        {
            if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } owner && map.TryGetValue(owner.Uid, out var pods))
            {
                pods.Add(pod);
            }
        }

        return map;
    }

    private async Task UpdateStatusAsync(V1Deployment d, CancellationToken ct)
    {
        var updated = await _ctx.Clientset.AppsV1().Deployments(d.Metadata.NamespaceProperty).UpdateStatusAsync(d, ct: ct).ConfigureAwait(false);

        // Later writes of this sync build on this one instead of conflicting with it.
        d.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
    }

    private void Enqueue(V1Deployment d) => Controller.Queue.Add(new ReconcileRequest(d.Metadata.NamespaceProperty, d.Metadata.Name));

    private DateTime Now => _ctx.TimeProvider.GetUtcNow().UtcDateTime;

    [LoggerMessage(Level = LogLevel.Debug, Message = "deployment {Namespace}/{Name}: scaled {Operation} replica set {ReplicaSet} from {From} to {To}")]
    private partial void LogScaled(string @namespace, string name, string operation, string replicaSet, int from, int to);

    [LoggerMessage(Level = LogLevel.Information, Message = "deployment {Namespace}/{Name}: hash collision on replica set {ReplicaSet}; collisionCount is now {Count}")]
    private partial void LogCollision(string @namespace, string name, string replicaSet, int count);
}
