using k8s.Models;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>
/// The kind a <see cref="ReplicaSetController"/> manages, seen as an apps/v1 ReplicaSet (upstream runs the
/// ReplicationController manager as the ReplicaSet controller over a conversion adapter, <c>pkg/controller/replication</c>).
/// Objects handed out are views over the informer's cache: read-only.
/// </summary>
internal interface IReplicaSetKind
{
    /// <summary>Upstream's controller name (<c>replicaset</c>, <c>replicationcontroller</c>).</summary>
    string ControllerName { get; }

    /// <summary>The event source component (<c>replicaset-controller</c>, <c>replication-controller</c>).</summary>
    string Component { get; }

    string ApiVersion { get; }

    string Kind { get; }

    /// <summary>Subscribes to the kind's shared informer, with every object converted.</summary>
    void AddHandler(Action<V1ReplicaSet> onAdd, Action<V1ReplicaSet, V1ReplicaSet> onUpdate, Action<V1ReplicaSet> onDelete);

    /// <summary>From the cache: the object, or null.</summary>
    V1ReplicaSet? Get(string ns, string name);

    /// <summary>From the cache: every object of the namespace.</summary>
    IReadOnlyList<V1ReplicaSet> List(string ns);

    /// <summary>From the API server (a quorum read).</summary>
    Task<V1ReplicaSet> GetFreshAsync(string ns, string name, CancellationToken ct);

    /// <summary>Writes <paramref name="rs"/>'s status through the status subresource; returns the stored object.</summary>
    Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, CancellationToken ct);
}
