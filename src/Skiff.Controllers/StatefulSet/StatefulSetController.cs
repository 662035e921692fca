using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;
using Skiff.Controllers.Common.History;

namespace Skiff.Controllers.StatefulSet;

/// <summary>
/// Runs the pods of each StatefulSet as upstream's <c>pkg/controller/statefulset</c>:
/// <list type="bullet">
/// <item>Pods <c>&lt;set&gt;-&lt;ordinal&gt;</c> for ordinals <c>spec.ordinals.start</c> … start+replicas−1, with hostname,
/// subdomain (<c>serviceName</c>) and the pod-name and pod-index labels; each pod's claims
/// <c>&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;</c> from <c>volumeClaimTemplates</c> are created before it.</item>
/// <item>OrderedReady creates one pod at a time in ordinal order, each only once its predecessors are Running and
/// Ready, and deletes the condemned pods one at a time from the highest ordinal; Parallel does all at once.</item>
/// <item>ControllerRevisions hold the template history (<c>currentRevision</c>, <c>updateRevision</c>, pods labelled
/// with their revision's name); RollingUpdate replaces pods from the highest ordinal down to the partition, one at a
/// time or within <c>maxUnavailable</c> when set; OnDelete waits for pods to be deleted.</item>
/// <item><c>persistentVolumeClaimRetentionPolicy</c> is applied through owner references on the claims (the set for
/// WhenDeleted=Delete, a scaled-down pod for WhenScaled=Delete), for the garbage collector to act on.</item>
/// <item>Status: replicas, ready, current, updated and available replicas, revisions, collisionCount, observedGeneration.</item>
/// </list>
/// </summary>
internal sealed partial class StatefulSetController : IReconciler
{
    /// <summary>Upstream's <c>ConcurrentStatefulSetSyncs</c> default.</summary>
    public const int Workers = 5;

    private readonly ControllerContext _ctx;
    private readonly SharedIndexInformer<V1StatefulSet> _sets;
    private readonly OwnerLookup<V1StatefulSet> _owners;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1PersistentVolumeClaim> _claims;
    private readonly SharedIndexInformer<V1ControllerRevision> _revisions;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    public StatefulSetController(ControllerContext ctx)
    {
        _ctx = ctx;
        _sets = ctx.Manager.Informers.Informer<V1StatefulSet>();
        _owners = new OwnerLookup<V1StatefulSet>(StatefulSetUtil.Kind, _sets.Lister, set => set.Spec.Selector);
        _pods = ctx.Manager.Informers.Informer<V1Pod>();
        _claims = ctx.Manager.Informers.Informer<V1PersistentVolumeClaim>();
        _revisions = ctx.Manager.Informers.Informer<V1ControllerRevision>();
        _events = ctx.Manager.CreateEventRecorder("statefulset-controller");
        _logger = ctx.LoggerFactory.CreateLogger<StatefulSetController>();
        Controller = ctx.NewController("statefulset", this, Workers);
    }

    /// <summary>The runnable (queue and workers) the manager runs.</summary>
    public Controller Controller { get; }

    /// <summary>Registers the controller with the context's manager.</summary>
    public static StatefulSetController Register(ControllerContext ctx)
    {
        var c = new StatefulSetController(ctx);
        c._sets.AddEventHandler(new ResourceEventHandler<V1StatefulSet>((s, _) => c.Enqueue(s), (_, s) => c.Enqueue(s), (s, _) => c.Enqueue(s)));
        c._pods.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => c.OnPod(p), c.OnPodUpdated, (p, _) => c.OnPod(p)));
        c._revisions.AddEventHandler(new ResourceEventHandler<V1ControllerRevision>((r, _) => c.OnRevision(r), (_, r) => c.OnRevision(r), (r, _) => c.OnRevision(r)));
        _ = c._claims;
        ctx.Manager.Add(c.Controller);
        return c;
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = request.Namespace ?? "";
        var set = _sets.Lister.Get(ns, request.Name);
        if (set is null)
        {
            return ReconcileResult.Done;
        }

        Skiff.Api.Selectors.LabelSelector selector;
        try
        {
            selector = Selectors.From(set.Spec.Selector);
        }
        catch (Skiff.Api.Selectors.SelectorParseException e)
        {
            LogBadSelector(request.ToString(), e.Message);
            return ReconcileResult.Done;
        }

        if (selector.IsEmpty)
        {
            _events.Event(set, EventRecorder.Warning, "SelectingAll", "This statefulset is selecting all pods. A non-empty selector is required.");
            return ReconcileResult.Done;
        }

        var pods = await ClaimPodsAsync(set, selector, ct).ConfigureAwait(false);
        var revisions = await ControllerHistory.ClaimAsync(_ctx.Clientset, set.Metadata, StatefulSetUtil.ApiVersion, StatefulSetUtil.Kind, selector,
            _revisions.Lister.List(ns), c => CanAdoptAsync(set, c), ct).ConfigureAwait(false);
        revisions = ControllerHistory.Sort(revisions);
        var (current, update, collisionCount) = await GetRevisionsAsync(set, revisions, ct).ConfigureAwait(false);

        Exception? updateError = null;
        V1StatefulSetStatus status;
        try
        {
            status = await UpdatePodsAsync(set, current, update, collisionCount, pods, ct).ConfigureAwait(false);
        }
        catch (StatefulSetUpdateException e)
        {
            status = e.Status;
            updateError = e.InnerException;
        }

        await UpdateStatusAsync(set, status, ct).ConfigureAwait(false);
        if (updateError is not null)
        {
            throw updateError;
        }

        await TruncateHistoryAsync(set, pods, revisions, current, update, ct).ConfigureAwait(false);
        var minReady = set.Spec.MinReadySeconds ?? 0;
        return minReady > 0 && status.ReadyReplicas != status.AvailableReplicas
            ? ReconcileResult.After(TimeSpan.FromSeconds(minReady))
            : ReconcileResult.Done;
    }

    private async Task<List<V1Pod>> ClaimPodsAsync(V1StatefulSet set, Skiff.Api.Selectors.LabelSelector selector, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1Pod>(set.Metadata, StatefulSetUtil.ApiVersion, StatefulSetUtil.Kind, selector, c => CanAdoptAsync(set, c),
            (pod, patch, c) => _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, ct: c));

        // Upstream's match is the selector and isMemberOf (the name says the pod is the set's).
        var candidates = _pods.Lister.List(set.Metadata.NamespaceProperty).Where(p => StatefulSetUtil.IsMemberOf(set, p));
        return await manager.ClaimAsync(candidates, ct).ConfigureAwait(false);
    }

    private async Task CanAdoptAsync(V1StatefulSet set, CancellationToken ct)
    {
        var fresh = await _ctx.Clientset.AppsV1().StatefulSets(set.Metadata.NamespaceProperty).GetAsync(set.Metadata.Name, ct: ct).ConfigureAwait(false);
        if (fresh.Metadata.Uid != set.Metadata.Uid)
        {
            throw new InvalidOperationException($"original StatefulSet {set.Metadata.NamespaceProperty}/{set.Metadata.Name} is gone: got uid {fresh.Metadata.Uid}, wanted {set.Metadata.Uid}");
        }

        if (fresh.Metadata.DeletionTimestamp is { } at)
        {
            throw new InvalidOperationException($"{set.Metadata.NamespaceProperty}/{set.Metadata.Name} has just been deleted at {at:O}");
        }
    }

    /// <summary>
    /// Upstream's <c>getStatefulSetRevisions</c>: the update revision is the last revision when it equals the set's
    /// template, an older equal revision moved to the next revision number (a rollback), or a new one; the current
    /// revision is the one <c>status.currentRevision</c> names, else the update revision.
    /// </summary>
    private async Task<(V1ControllerRevision Current, V1ControllerRevision Update, int CollisionCount)> GetRevisionsAsync(V1StatefulSet set,
        List<V1ControllerRevision> revisions, CancellationToken ct)
    {
        var collisionCount = set.Status?.CollisionCount ?? 0;
        var candidate = ControllerHistory.New(set.Metadata, StatefulSetUtil.ApiVersion, StatefulSetUtil.Kind, set.Spec.Template?.Metadata?.Labels,
            ControllerHistory.TemplatePatch(set.Spec.Template ?? new V1PodTemplateSpec()), ControllerHistory.NextRevision(revisions), collisionCount);
        if (set.Metadata.Annotations is { Count: > 0 } annotations)
        {
            candidate.Metadata.Annotations = new Dictionary<string, string>(annotations);
        }

        var equal = ControllerHistory.FindEqual(revisions, candidate);
        V1ControllerRevision update;
        if (equal.Count > 0 && ControllerHistory.Equal(revisions[^1], equal[^1]))
        {
            update = revisions[^1];
        }
        else if (equal.Count > 0)
        {
            var bumped = KubernetesSerialization.DeepCopy(equal[^1]);
            bumped.Revision = candidate.Revision;
            update = await ControllerHistory.Revisions(_ctx.Clientset, set.Metadata.NamespaceProperty).UpdateAsync(bumped, ct: ct).ConfigureAwait(false);
        }
        else
        {
            (update, collisionCount) = await ControllerHistory.CreateAsync(_ctx.Clientset, set.Metadata, candidate, collisionCount, ct).ConfigureAwait(false);
        }

        var current = revisions.FirstOrDefault(r => r.Metadata.Name == set.Status?.CurrentRevision) ?? update;
        return (current, update, collisionCount);
    }

    /// <summary>Upstream's <c>updateStatefulSetStatus</c>: completes a finished rolling update, writes the status when it changed.</summary>
    private async Task UpdateStatusAsync(V1StatefulSet set, V1StatefulSetStatus status, CancellationToken ct)
    {
        if ((set.Spec.UpdateStrategy?.Type ?? "RollingUpdate") == "RollingUpdate" &&
            status.UpdatedReplicas == status.Replicas && status.ReadyReplicas == status.Replicas)
        {
            status.CurrentReplicas = status.UpdatedReplicas;
            status.CurrentRevision = status.UpdateRevision;
        }

        var old = set.Status ?? new V1StatefulSetStatus();
        if (old.ObservedGeneration == status.ObservedGeneration && old.Replicas == status.Replicas && (old.ReadyReplicas ?? 0) == (status.ReadyReplicas ?? 0) &&
            (old.CurrentReplicas ?? 0) == (status.CurrentReplicas ?? 0) && (old.UpdatedReplicas ?? 0) == (status.UpdatedReplicas ?? 0) &&
            (old.AvailableReplicas ?? 0) == (status.AvailableReplicas ?? 0) && old.CurrentRevision == status.CurrentRevision &&
            old.UpdateRevision == status.UpdateRevision && (old.CollisionCount ?? 0) == (status.CollisionCount ?? 0))
        {
            return;
        }

        var copy = KubernetesSerialization.DeepCopy(set);
        for (var attempt = 0; ; attempt++)
        {
            status.Conditions = copy.Status?.Conditions;
            copy.Status = status;
            try
            {
                await _ctx.Clientset.AppsV1().StatefulSets(set.Metadata.NamespaceProperty).UpdateStatusAsync(copy, ct: ct).ConfigureAwait(false);
                return;
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < 1)
            {
                copy = await _ctx.Clientset.AppsV1().StatefulSets(set.Metadata.NamespaceProperty).GetAsync(set.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Upstream's <c>truncateHistory</c>: deletes the oldest revisions neither current, update nor used by a pod, beyond revisionHistoryLimit.</summary>
    private async Task TruncateHistoryAsync(V1StatefulSet set, List<V1Pod> pods, List<V1ControllerRevision> revisions, V1ControllerRevision current,
        V1ControllerRevision update, CancellationToken ct)
    {
        var live = new HashSet<string>(StringComparer.Ordinal) { current.Metadata.Name, update.Metadata.Name };
        foreach (var pod in pods)
        {
            if (StatefulSetUtil.PodRevision(pod) is { } r)
            {
                live.Add(r);
            }
        }

        var history = revisions.Where(r => !live.Contains(r.Metadata.Name)).ToList();
        var excess = history.Count - (set.Spec.RevisionHistoryLimit ?? 10);
        foreach (var r in history.Take(Math.Max(0, excess)))
        {
            try
            {
                await ControllerHistory.Revisions(_ctx.Clientset, set.Metadata.NamespaceProperty).DeleteAsync(r.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
            }
        }
    }

    private void Enqueue(V1StatefulSet set) => Controller.Queue.Add(new ReconcileRequest(set.Metadata.NamespaceProperty, set.Metadata.Name));

    private void OnRevision(V1ControllerRevision revision)
    {
        if (ControllerRefManager<V1ControllerRevision>.ControllerOf(revision.Metadata) is { } r && _owners.Resolve(revision.Metadata.NamespaceProperty, r) is { } set)
        {
            Enqueue(set);
        }
    }

    private void OnPod(V1Pod pod)
    {
        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef)
        {
            if (_owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } set)
            {
                Enqueue(set);
            }

            return;
        }

        foreach (var set in _owners.Selecting(pod.Metadata).Where(s => StatefulSetUtil.IsMemberOf(s, pod)))
        {
            Enqueue(set);
        }
    }

    private void OnPodUpdated(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return;
        }

        var oldRef = ControllerRefManager<V1Pod>.ControllerOf(old.Metadata);
        if (oldRef is not null && oldRef.Uid != ControllerRefManager<V1Pod>.ControllerOf(cur.Metadata)?.Uid &&
            _owners.Resolve(old.Metadata.NamespaceProperty, oldRef) is { } oldSet)
        {
            Enqueue(oldSet);
        }

        OnPod(cur);
        if (!PodStatusUtil.IsReady(old) && PodStatusUtil.IsReady(cur) &&
            ControllerRefManager<V1Pod>.ControllerOf(cur.Metadata) is { } r && _owners.Resolve(cur.Metadata.NamespaceProperty, r) is { } set &&
            set.Spec.MinReadySeconds is > 0 and var minReady)
        {
            Controller.Queue.AddAfter(new ReconcileRequest(set.Metadata.NamespaceProperty, set.Metadata.Name), TimeSpan.FromSeconds(minReady + 1));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "StatefulSet {Key}: invalid selector: {Error}")]
    private partial void LogBadSelector(string key, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "StatefulSet {Key}: {Action} pod {Pod}")]
    private partial void LogPodAction(string key, string action, string pod);
}
