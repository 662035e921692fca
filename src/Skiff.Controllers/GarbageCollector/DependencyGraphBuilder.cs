using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Schema;
using Skiff.Client.WorkQueue;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// Upstream's <c>GraphBuilder</c> (<c>pkg/controller/garbagecollector/graph_builder.go</c>): one dynamic informer
/// ("monitor") per resource type that supports list, watch and delete; their events go through one channel into a
/// single loop that keeps the uid → node graph and feeds the collector's queues:
/// <list type="bullet">
/// <item>an owner named by a reference but not in the graph becomes a virtual node, queued for a live check;</item>
/// <item>an object that starts being deleted with the <c>orphan</c> finalizer is queued to orphan its dependents;</item>
/// <item>one that starts being deleted with <c>foregroundDeletion</c> is marked deleting-dependents and queued with
/// all its dependents;</item>
/// <item>a deleted object's dependents are queued (their owner may now be gone), and so are its owners that wait
/// on their dependents; a reference losing <c>blockOwnerDeletion</c> queues a waiting owner too.</item>
/// </list>
/// </summary>
internal sealed partial class DependencyGraphBuilder
{
    private readonly Channel<GraphEvent> _events = Channel.CreateUnbounded<GraphEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, GraphNode> _uidToNode = new(StringComparer.Ordinal);
    private readonly Dictionary<GroupVersionResource, SharedIndexInformer<DynamicObject>> _monitors = [];
    private readonly DynamicSharedInformerFactory _informers;
    private readonly ILogger _logger;

    public DependencyGraphBuilder(DynamicSharedInformerFactory informers, IRateLimitingQueue<GraphNode> attemptToDelete,
        IRateLimitingQueue<GraphNode> attemptToOrphan, AbsentOwnerCache absentOwners, ILogger logger)
    {
        _informers = informers;
        AttemptToDelete = attemptToDelete;
        AttemptToOrphan = attemptToOrphan;
        AbsentOwners = absentOwners;
        _logger = logger;
    }

    /// <summary>The lock every read or write of the graph (and of any node) holds.</summary>
    public object Lock { get; } = new();

    public IRateLimitingQueue<GraphNode> AttemptToDelete { get; }

    public IRateLimitingQueue<GraphNode> AttemptToOrphan { get; }

    public AbsentOwnerCache AbsentOwners { get; }

    /// <summary>How many nodes the graph holds.</summary>
    public int Count
    {
        get
        {
            lock (Lock)
            {
                return _uidToNode.Count;
            }
        }
    }

    /// <summary>The resources monitored so far.</summary>
    public IReadOnlyCollection<GroupVersionResource> Monitored
    {
        get
        {
            lock (_monitors)
            {
                return [.. _monitors.Keys];
            }
        }
    }

    /// <summary>
    /// Starts a monitor for every resource of <paramref name="resources"/> not yet monitored (upstream's
    /// <c>syncMonitors</c>; monitors of resources that went away keep running, harmlessly). Returns the new ones.
    /// </summary>
    public IReadOnlyList<SharedIndexInformer<DynamicObject>> SyncMonitors(IEnumerable<DiscoveredResource> resources)
    {
        var added = new List<SharedIndexInformer<DynamicObject>>();
        foreach (var r in resources)
        {
            lock (_monitors)
            {
                if (_monitors.ContainsKey(r.Resource))
                {
                    continue;
                }
            }

            var kind = r.Kind;
            var informer = _informers.ForResource(r.Resource);
            informer.AddEventHandler(new ResourceEventHandler<DynamicObject>(
                onAdd: (o, _) => Post(new GraphEvent(GraphEventType.Add, IdentityOf(o, kind), o, null, false)),
                onUpdate: (old, o) => Post(new GraphEvent(GraphEventType.Update, IdentityOf(o, kind), o, old, false)),
                onDelete: (o, _) => Post(new GraphEvent(GraphEventType.Delete, IdentityOf(o, kind), o, null, false))));
            lock (_monitors)
            {
                _monitors[r.Resource] = informer;
            }

            added.Add(informer);
        }

        return added;
    }

    /// <summary>Whether every monitor has synced (upstream's <c>IsSynced</c>).</summary>
    public bool IsSynced()
    {
        lock (_monitors)
        {
            return _monitors.Values.All(m => m.HasSynced);
        }
    }

    /// <summary>Tells the loop that <paramref name="identity"/>'s object is gone, as found by a live lookup.</summary>
    public void EnqueueVirtualDelete(ObjectIdentity identity) => Post(new GraphEvent(GraphEventType.Delete, identity, null, null, true));

    /// <summary>The node of <paramref name="uid"/>, if in the graph. Call under <see cref="Lock"/>.</summary>
    public GraphNode? Node(string uid) => _uidToNode.GetValueOrDefault(uid);

    /// <summary>Processes graph events until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    lock (Lock)
                    {
                        Process(e);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or KeyNotFoundException)
                {
                    LogEventFailed(e.Identity.ToString(), ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Post(GraphEvent e) => _events.Writer.TryWrite(e);

    private static ObjectIdentity IdentityOf(DynamicObject o, GroupVersionKind kind)
        => new(kind.ApiVersion, kind.Kind, o.Metadata.Name, o.Metadata.Uid ?? "", o.Metadata.NamespaceProperty ?? "");

    private void Process(GraphEvent e)
    {
        var uid = e.Identity.Uid;
        if (uid.Length == 0)
        {
            return;
        }

        var existing = _uidToNode.GetValueOrDefault(uid);
        if (existing is not null && !e.IsVirtual && existing.Virtual)
        {
            // First sight of an owner known so far only from references: take its real coordinates. Dependents that
            // named it with other coordinates (e.g. a namespace for a cluster-scoped owner) get re-checked.
            if (existing.Identity != e.Identity)
            {
                foreach (var dep in existing.Dependents.Where(d => !Matches(d, e.Identity)))
                {
                    AttemptToDelete.Add(dep);
                }

                existing.Identity = e.Identity;
            }

            existing.Virtual = false;
        }

        switch (e.Type)
        {
            case GraphEventType.Add or GraphEventType.Update when existing is null:
            {
                var o = e.Object!;
                var node = new GraphNode(e.Identity)
                {
                    Owners = [.. o.Metadata.OwnerReferences ?? []],
                    BeingDeleted = o.Metadata.DeletionTimestamp is not null,
                };
                node.DeletingDependents = node.BeingDeleted && HasFinalizer(o, GcFinalizers.ForegroundDeletion);
                _uidToNode[uid] = node;
                AddDependentToOwners(node, node.Owners);
                ProcessTransitions(e.Old, o, node);
                break;
            }

            case GraphEventType.Add or GraphEventType.Update:
            {
                var o = e.Object!;
                var refs = o.Metadata.OwnerReferences ?? [];
                var (added, removed, changed) = ReferenceDiffs(existing!.Owners, refs);
                if (added.Count > 0 || removed.Count > 0 || changed.Count > 0)
                {
                    AddUnblockedOwnersToDeleteQueue(removed, changed);
                    existing.Owners = [.. refs];
                    AddDependentToOwners(existing, added);
                    RemoveDependentFromOwners(existing, removed);
                }

                if (o.Metadata.DeletionTimestamp is not null)
                {
                    existing.BeingDeleted = true;
                }

                ProcessTransitions(e.Old, o, existing);
                break;
            }

            case GraphEventType.Delete when existing is not null:
            {
                if (e.IsVirtual && !existing.Virtual && existing.Identity != e.Identity)
                {
                    // The live lookup was for other coordinates than the object the informers saw: keep the node.
                    return;
                }

                _uidToNode.Remove(uid);
                RemoveDependentFromOwners(existing, existing.Owners);
                if (existing.Dependents.Count > 0)
                {
                    AbsentOwners.Add(e.IsVirtual ? existing.Identity : e.Identity);
                }

                foreach (var dep in existing.Dependents)
                {
                    AttemptToDelete.Add(dep);
                }

                foreach (var owner in existing.Owners)
                {
                    if (_uidToNode.GetValueOrDefault(owner.Uid) is { DeletingDependents: true } ownerNode)
                    {
                        AttemptToDelete.Add(ownerNode);
                    }
                }

                break;
            }
        }
    }

    /// <summary>Adds <paramref name="node"/> to each owner's dependents, creating (and queueing) virtual owners not yet seen.</summary>
    private void AddDependentToOwners(GraphNode node, IEnumerable<V1OwnerReference> owners)
    {
        foreach (var owner in owners)
        {
            if (!_uidToNode.TryGetValue(owner.Uid, out var ownerNode))
            {
                ownerNode = new GraphNode(new ObjectIdentity(owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, node.Identity.Namespace)) { Virtual = true };
                _uidToNode[owner.Uid] = ownerNode;
                LogVirtualOwner(ownerNode.Identity.ToString(), node.Identity.ToString());
                AttemptToDelete.Add(ownerNode);
            }

            ownerNode.Dependents.Add(node);
        }
    }

    private void RemoveDependentFromOwners(GraphNode node, IEnumerable<V1OwnerReference> owners)
    {
        foreach (var owner in owners)
        {
            if (_uidToNode.TryGetValue(owner.Uid, out var ownerNode))
            {
                ownerNode.Dependents.Remove(node);
            }
        }
    }

    /// <summary>An owner that waits on its dependents is queued when a reference that blocked it goes or stops blocking.</summary>
    private void AddUnblockedOwnersToDeleteQueue(List<V1OwnerReference> removed, List<(V1OwnerReference Old, V1OwnerReference New)> changed)
    {
        foreach (var r in removed)
        {
            if (r.BlockOwnerDeletion == true && _uidToNode.GetValueOrDefault(r.Uid) is { DeletingDependents: true } owner)
            {
                AttemptToDelete.Add(owner);
            }
        }

        foreach (var (old, @new) in changed)
        {
            if (old.BlockOwnerDeletion == true && @new.BlockOwnerDeletion != true
                && _uidToNode.GetValueOrDefault(@new.Uid) is { DeletingDependents: true } owner)
            {
                AttemptToDelete.Add(owner);
            }
        }
    }

    private void ProcessTransitions(DynamicObject? old, DynamicObject o, GraphNode node)
    {
        if (StartsWaitingFor(old, o, GcFinalizers.Orphan))
        {
            AttemptToOrphan.Add(node);
            return;
        }

        if (StartsWaitingFor(old, o, GcFinalizers.ForegroundDeletion))
        {
            node.DeletingDependents = true;
            node.BeingDeleted = true;
            foreach (var dep in node.Dependents)
            {
                AttemptToDelete.Add(dep);
            }

            AttemptToDelete.Add(node);
        }
    }

    /// <summary>True when <paramref name="o"/> is being deleted with <paramref name="finalizer"/> and <paramref name="old"/> was not.</summary>
    private static bool StartsWaitingFor(DynamicObject? old, DynamicObject o, string finalizer)
    {
        if (o.Metadata.DeletionTimestamp is null || !HasFinalizer(o, finalizer))
        {
            return false;
        }

        return old is null || old.Metadata.DeletionTimestamp is null || !HasFinalizer(old, finalizer);
    }

    private static bool HasFinalizer(DynamicObject o, string finalizer) => o.Metadata.Finalizers?.Contains(finalizer) == true;

    private static bool Matches(GraphNode dependent, ObjectIdentity owner)
        => owner.Namespace.Length == 0 || dependent.Identity.Namespace == owner.Namespace;

    private static (List<V1OwnerReference> Added, List<V1OwnerReference> Removed, List<(V1OwnerReference Old, V1OwnerReference New)> Changed) ReferenceDiffs(
        IReadOnlyList<V1OwnerReference> old, IList<V1OwnerReference> @new)
    {
        var oldByUid = old.GroupBy(r => r.Uid).ToDictionary(g => g.Key, g => g.First());
        var added = new List<V1OwnerReference>();
        var changed = new List<(V1OwnerReference, V1OwnerReference)>();
        foreach (var r in @new)
        {
            if (!oldByUid.Remove(r.Uid, out var o))
            {
                added.Add(r);
            }
            else if (o.ApiVersion != r.ApiVersion || o.Kind != r.Kind || o.Name != r.Name || o.Controller != r.Controller || o.BlockOwnerDeletion != r.BlockOwnerDeletion)
            {
                changed.Add((o, r));
            }
        }

        return (added, [.. oldByUid.Values], changed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collector: processing the graph event of {Item} failed")]
    private partial void LogEventFailed(string item, Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "garbage collector: virtual owner {Owner} of {Dependent} added to the graph")]
    private partial void LogVirtualOwner(string owner, string dependent);
}
