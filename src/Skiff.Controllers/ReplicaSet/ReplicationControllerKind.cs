using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Typed;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>
/// core/v1 ReplicationControllers seen as ReplicaSets (upstream's <c>pkg/controller/replication/conversion.go</c>): the
/// map selector becomes <c>matchLabels</c>, conditions keep type, status, reason and message; status writes convert
/// back.
/// </summary>
internal sealed class ReplicationControllerKind(ControllerContext ctx) : IReplicaSetKind
{
    private readonly SharedIndexInformer<V1ReplicationController> _informer = ctx.Manager.Informers.Informer<V1ReplicationController>();

    public string ControllerName => "replicationcontroller";

    public string Component => "replication-controller";

    public string ApiVersion => "v1";

    public string Kind => "ReplicationController";

    public void AddHandler(Action<V1ReplicaSet> onAdd, Action<V1ReplicaSet, V1ReplicaSet> onUpdate, Action<V1ReplicaSet> onDelete) =>
        _informer.AddEventHandler(new ResourceEventHandler<V1ReplicationController>(
            (o, _) => onAdd(ToReplicaSet(o)), (a, b) => onUpdate(ToReplicaSet(a), ToReplicaSet(b)), (o, _) => onDelete(ToReplicaSet(o))));

    public V1ReplicaSet? Get(string ns, string name) => _informer.Lister.Get(ns, name) is { } rc ? ToReplicaSet(rc) : null;

    public IReadOnlyList<V1ReplicaSet> List(string ns) => [.. _informer.Lister.List(ns).Select(ToReplicaSet)];

    public async Task<V1ReplicaSet> GetFreshAsync(string ns, string name, CancellationToken ct) =>
        ToReplicaSet(await Client(ns).GetAsync(name, ct: ct).ConfigureAwait(false));

    public async Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, CancellationToken ct) =>
        ToReplicaSet(await Client(rs.Metadata.NamespaceProperty).UpdateStatusAsync(ToReplicationController(rs), ct: ct).ConfigureAwait(false));

    /// <summary>The ReplicaSet view of <paramref name="rc"/> (sharing its metadata and template).</summary>
    public static V1ReplicaSet ToReplicaSet(V1ReplicationController rc) => new()
    {
        ApiVersion = "v1",
        Kind = "ReplicationController",
        Metadata = rc.Metadata,
        Spec = new V1ReplicaSetSpec
        {
            Replicas = rc.Spec?.Replicas,
            MinReadySeconds = rc.Spec?.MinReadySeconds,
            Selector = new V1LabelSelector { MatchLabels = rc.Spec?.Selector ?? new Dictionary<string, string>() },
            Template = rc.Spec?.Template,
        },
        Status = rc.Status is not { } s ? null : new V1ReplicaSetStatus
        {
            Replicas = s.Replicas,
            FullyLabeledReplicas = s.FullyLabeledReplicas,
            ReadyReplicas = s.ReadyReplicas,
            AvailableReplicas = s.AvailableReplicas,
            ObservedGeneration = s.ObservedGeneration,
            Conditions = s.Conditions?.Select(c => new V1ReplicaSetCondition { Status = c.Status, Type = c.Type, LastTransitionTime = c.LastTransitionTime, Message = c.Message, Reason = c.Reason }).ToList(),
        },
    };

    /// <summary>The ReplicationController <paramref name="rs"/> is a view of.</summary>
    public static V1ReplicationController ToReplicationController(V1ReplicaSet rs) => new()
    {
        ApiVersion = "v1",
        Kind = "ReplicationController",
        Metadata = rs.Metadata,
        Spec = new V1ReplicationControllerSpec
        {
            Replicas = rs.Spec.Replicas,
            MinReadySeconds = rs.Spec.MinReadySeconds,
            Selector = rs.Spec.Selector?.MatchLabels,
            Template = rs.Spec.Template,
        },
        Status = rs.Status is not { } s ? null : new V1ReplicationControllerStatus
        {
            Replicas = s.Replicas,
            FullyLabeledReplicas = s.FullyLabeledReplicas,
            ReadyReplicas = s.ReadyReplicas,
            AvailableReplicas = s.AvailableReplicas,
            ObservedGeneration = s.ObservedGeneration,
            Conditions = s.Conditions?.Select(c => new V1ReplicationControllerCondition { Status = c.Status, Type = c.Type, LastTransitionTime = c.LastTransitionTime, Message = c.Message, Reason = c.Reason }).ToList(),
        },
    };

    private ResourceClient<V1ReplicationController, V1ReplicationControllerList> Client(string ns) =>
        ctx.Clientset.Resource<V1ReplicationController, V1ReplicationControllerList>(ns);
}
