using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>apps/v1 ReplicaSets, as they are.</summary>
internal sealed class AppsReplicaSetKind(ControllerContext ctx) : IReplicaSetKind
{
    private readonly SharedIndexInformer<V1ReplicaSet> _informer = ctx.Manager.Informers.Informer<V1ReplicaSet>();

    public string ControllerName => "replicaset";

    public string Component => "replicaset-controller";

    public string ApiVersion => "apps/v1";

    public string Kind => "ReplicaSet";

    public void AddHandler(Action<V1ReplicaSet> onAdd, Action<V1ReplicaSet, V1ReplicaSet> onUpdate, Action<V1ReplicaSet> onDelete) =>
        _informer.AddEventHandler(new ResourceEventHandler<V1ReplicaSet>((o, _) => onAdd(o), onUpdate, (o, _) => onDelete(o)));

    public V1ReplicaSet? Get(string ns, string name) => _informer.Lister.Get(ns, name);

    public IReadOnlyList<V1ReplicaSet> List(string ns) => _informer.Lister.List(ns);

    public Task<V1ReplicaSet> GetFreshAsync(string ns, string name, CancellationToken ct) =>
        ctx.Clientset.AppsV1().ReplicaSets(ns).GetAsync(name, ct: ct);

    public Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, CancellationToken ct) =>
        ctx.Clientset.AppsV1().ReplicaSets(rs.Metadata.NamespaceProperty).UpdateStatusAsync(rs, ct: ct);
}
