using k8s.Models;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// One object in the dependency graph (upstream's <c>node</c>): its identity, its owners as its ownerReferences state
/// them, the nodes that name it as an owner, and the deletion state the graph builder observed. A node is virtual
/// until an informer reports the object itself. Reference equality: the work queues hold nodes. Every member is read
/// and written under the graph's lock.
/// </summary>
internal sealed class GraphNode(ObjectIdentity identity)
{
    public ObjectIdentity Identity { get; set; } = identity;

    /// <summary>The nodes whose ownerReferences name this node's uid.</summary>
    public HashSet<GraphNode> Dependents { get; } = [];

    public IReadOnlyList<V1OwnerReference> Owners { get; set; } = [];

    /// <summary>The object has a deletionTimestamp.</summary>
    public bool BeingDeleted { get; set; }

    /// <summary>The object has a deletionTimestamp and the <c>foregroundDeletion</c> finalizer.</summary>
    public bool DeletingDependents { get; set; }

    /// <summary>Known only from dependents' references, not (yet) from an informer.</summary>
    public bool Virtual { get; set; }

    /// <summary>The dependents whose reference to this node blocks its deletion (<c>blockOwnerDeletion: true</c>).</summary>
    public IEnumerable<GraphNode> BlockingDependents()
        => Dependents.Where(d => d.Owners.Any(o => o.Uid == Identity.Uid && o.BlockOwnerDeletion == true));

    public override string ToString() => Identity.ToString();
}
