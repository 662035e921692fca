using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.DaemonSet;

/// <summary>
/// Runs one pod of each DaemonSet on every node that should run it, as upstream's <c>pkg/controller/daemon</c>:
/// <list type="bullet">
/// <item>A node should run the pod when its name, node selector and required node affinity fit and the pod (with the
/// default daemon tolerations) tolerates its NoSchedule and NoExecute taints (<see cref="DaemonSetPods.ShouldRun"/>).
/// Pods are created with a required node affinity <c>metadata.name In [node]</c>, for the scheduler to bind.</item>
/// <item>Pods on nodes that should no longer run them are deleted (a pod that tolerates the NoExecute taints may stay),
/// failed pods are replaced, extra pods on a node deleted (the oldest kept), and unscheduled pods of vanished nodes
/// deleted.</item>
/// <item>The template's history is kept in ControllerRevisions named <c>&lt;ds&gt;-&lt;hash&gt;</c>; pods carry the
/// current revision's <c>controller-revision-hash</c> and the <c>pod-template-generation</c>. RollingUpdate replaces
/// old pods within maxUnavailable, or surges new pods within maxSurge; OnDelete waits for pods to be deleted.</item>
/// <item>Status: desired, current, ready, updated, available, unavailable and misscheduled counts and
/// observedGeneration, written only when they changed.</item>
/// </list>
/// </summary>
internal sealed partial class DaemonSetController : IReconciler
{
    /// <summary>Upstream's <c>BurstReplicas</c>.</summary>
    public const int BurstReplicas = 250;

    /// <summary>Upstream's <c>ConcurrentDaemonSetSyncs</c> default.</summary>
    public const int Workers = 2;

    private const string ApiVersion = "apps/v1";
    private const string Kind = "DaemonSet";

    private readonly ControllerContext _ctx;
    private readonly SharedIndexInformer<V1DaemonSet> _sets;
    private readonly OwnerLookup<V1DaemonSet> _owners;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly SharedIndexInformer<V1ControllerRevision> _revisions;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    public DaemonSetController(ControllerContext ctx)
    {
        _ctx = ctx;
        _sets = ctx.Manager.Informers.Informer<V1DaemonSet>();
        _owners = new OwnerLookup<V1DaemonSet>(Kind, _sets.Lister, ds => ds.Spec.Selector);
        _pods = ctx.Manager.Informers.Informer<V1Pod>();
        _nodes = ctx.Manager.Informers.Informer<V1Node>();
        _revisions = ctx.Manager.Informers.Informer<V1ControllerRevision>();
        _events = ctx.Manager.CreateEventRecorder("daemonset-controller");
        _logger = ctx.LoggerFactory.CreateLogger<DaemonSetController>();
        Expectations = new ControllerExpectations();
        Controller = ctx.NewController("daemonset", this, Workers);
    }

    /// <summary>The runnable (queue and workers) the manager runs.</summary>
    public Controller Controller { get; }

    /// <summary>The outstanding creations and deletions per <c>namespace/name</c>.</summary>
    public ControllerExpectations Expectations { get; }

    /// <summary>Registers the controller with the context's manager.</summary>
    public static DaemonSetController Register(ControllerContext ctx)
    {
        var c = new DaemonSetController(ctx);
        c._sets.AddEventHandler(new ResourceEventHandler<V1DaemonSet>((d, _) => c.Enqueue(d), (_, d) => c.Enqueue(d), (d, _) => c.OnSetDeleted(d)));
        c._pods.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => c.OnPodAdded(p), c.OnPodUpdated, (p, _) => c.OnPodDeleted(p)));
        c._nodes.AddEventHandler(new ResourceEventHandler<V1Node>((_, _) => c.EnqueueAll(), c.OnNodeUpdated, (_, _) => c.EnqueueAll()));
        c._revisions.AddEventHandler(new ResourceEventHandler<V1ControllerRevision>((r, _) => c.OnRevision(r), (_, r) => c.OnRevision(r), (r, _) => c.OnRevision(r)));
        ctx.Manager.Add(c.Controller);
        return c;
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = request.Namespace ?? "";
        var key = request.ToString();
        var ds = _sets.Lister.Get(ns, request.Name);
        if (ds is null)
        {
            Expectations.Delete(key);
            return ReconcileResult.Done;
        }

        Skiff.Api.Selectors.LabelSelector selector;
        try
        {
            selector = Selectors.From(ds.Spec.Selector);
        }
        catch (Skiff.Api.Selectors.SelectorParseException e)
        {
            LogBadSelector(key, e.Message);
            return ReconcileResult.Done;
        }

        if (selector.IsEmpty)
        {
            // Upstream refuses a selector that selects everything.
            _events.Event(ds, EventRecorder.Warning, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
            return ReconcileResult.Done;
        }

        if (ds.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var nodes = _nodes.Lister.List();
        var (cur, old) = await ConstructHistoryAsync(ds, selector, ct).ConfigureAwait(false);
        var hash = Common.History.ControllerHistory.HashOf(cur.Metadata) ?? "";
        if (!Expectations.Satisfied(key))
        {
            return await UpdateStatusAsync(ds, selector, nodes, hash, false, ct).ConfigureAwait(false);
        }

        await ManageAsync(ds, selector, nodes, hash, key, ct).ConfigureAwait(false);
        if (Expectations.Satisfied(key) && ds.Spec.UpdateStrategy?.Type is null or "RollingUpdate")
        {
            await RollingUpdateAsync(ds, selector, nodes, hash, key, ct).ConfigureAwait(false);
        }

        await CleanupHistoryAsync(ds, selector, old, ct).ConfigureAwait(false);
        return await UpdateStatusAsync(ds, selector, nodes, hash, true, ct).ConfigureAwait(false);
    }

    private void Enqueue(V1DaemonSet ds) => Controller.Queue.Add(new ReconcileRequest(ds.Metadata.NamespaceProperty, ds.Metadata.Name));

    private void EnqueueAll()
    {
        foreach (var ds in _sets.Lister.List())
        {
            Enqueue(ds);
        }
    }

    private void OnSetDeleted(V1DaemonSet ds)
    {
        Expectations.Delete(ds.Metadata.NamespaceProperty + "/" + ds.Metadata.Name);
        Enqueue(ds);
    }

    private void OnNodeUpdated(V1Node old, V1Node cur)
    {
        // Upstream's shouldIgnoreNodeUpdate: only labels, taints and conditions can change where daemons run.
        if (!LabelsEqual(old.Metadata.Labels, cur.Metadata.Labels) ||
            System.Text.Json.JsonSerializer.Serialize(old.Spec?.Taints) != System.Text.Json.JsonSerializer.Serialize(cur.Spec?.Taints) ||
            old.Spec?.Unschedulable != cur.Spec?.Unschedulable)
        {
            EnqueueAll();
        }
    }

    private void OnRevision(V1ControllerRevision revision)
    {
        if (ControllerRefManager<V1ControllerRevision>.ControllerOf(revision.Metadata) is { } r && _owners.Resolve(revision.Metadata.NamespaceProperty, r) is { } ds)
        {
            Enqueue(ds);
        }
    }

    private void OnPodAdded(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            OnPodDeleted(pod);
            return;
        }

        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef)
        {
            if (_owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } ds)
            {
                Expectations.CreationObserved(Key(ds));
                Enqueue(ds);
            }

            return;
        }

        foreach (var ds in _owners.Selecting(pod.Metadata))
        {
            Enqueue(ds);
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
            OnPodDeleted(cur);
            return;
        }

        var curRef = ControllerRefManager<V1Pod>.ControllerOf(cur.Metadata);
        var oldRef = ControllerRefManager<V1Pod>.ControllerOf(old.Metadata);
        if (oldRef is not null && oldRef.Uid != curRef?.Uid && _owners.Resolve(old.Metadata.NamespaceProperty, oldRef) is { } oldDs)
        {
            Enqueue(oldDs);
        }

        if (curRef is not null)
        {
            if (_owners.Resolve(cur.Metadata.NamespaceProperty, curRef) is { } ds)
            {
                Enqueue(ds);
                if (!PodStatusUtil.IsReady(old) && PodStatusUtil.IsReady(cur) && ds.Spec.MinReadySeconds is > 0 and var minReady)
                {
                    Controller.Queue.AddAfter(new ReconcileRequest(ds.Metadata.NamespaceProperty, ds.Metadata.Name), TimeSpan.FromSeconds(minReady + 1));
                }
            }

            return;
        }

        foreach (var ds in _owners.Selecting(cur.Metadata))
        {
            Enqueue(ds);
        }
    }

    private void OnPodDeleted(V1Pod pod)
    {
        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef &&
            _owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } ds)
        {
            Expectations.DeletionObserved(Key(ds), PodStatusUtil.Key(pod));
            Enqueue(ds);
        }
    }

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    private static string Key(V1DaemonSet ds) => ds.Metadata.NamespaceProperty + "/" + ds.Metadata.Name;

    [LoggerMessage(Level = LogLevel.Error, Message = "DaemonSet {Key}: invalid selector: {Error}")]
    private partial void LogBadSelector(string key, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DaemonSet {Key}: creating {Create} pods, deleting {Delete}")]
    private partial void LogSyncNodes(string key, int create, int delete);
}
