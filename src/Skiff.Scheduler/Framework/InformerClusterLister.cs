using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// The <see cref="IClusterLister"/> over a manager's shared informers; constructing it requests the informers (so
/// the manager lists and watches them before the scheduler starts).
/// </summary>
public sealed class InformerClusterLister : IClusterLister
{
    private readonly Lister<V1Namespace> _namespaces;
    private readonly Lister<V1Service> _services;
    private readonly Lister<V1ReplicationController> _rcs;
    private readonly Lister<V1ReplicaSet> _rss;
    private readonly Lister<V1StatefulSet> _statefulSets;
    private readonly Lister<V1PodDisruptionBudget> _pdbs;
    private readonly Lister<V1PersistentVolumeClaim> _pvcs;
    private readonly Lister<V1PersistentVolume> _pvs;
    private readonly Lister<V1StorageClass> _storageClasses;

    public InformerClusterLister(SharedInformerFactory informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _namespaces = informers.Informer<V1Namespace>().Lister;
        _services = informers.Informer<V1Service>().Lister;
        _rcs = informers.Informer<V1ReplicationController>().Lister;
        _rss = informers.Informer<V1ReplicaSet>().Lister;
        _statefulSets = informers.Informer<V1StatefulSet>().Lister;
        _pdbs = informers.Informer<V1PodDisruptionBudget>().Lister;
        _pvcs = informers.Informer<V1PersistentVolumeClaim>().Lister;
        _pvs = informers.Informer<V1PersistentVolume>().Lister;
        _storageClasses = informers.Informer<V1StorageClass>().Lister;
    }

    public IDictionary<string, string>? NamespaceLabels(string name)
    {
        var ns = _namespaces.Get(null, name);
        return ns is null ? null : ns.Metadata.Labels ?? new Dictionary<string, string>();
    }

    public IReadOnlyList<V1Service> Services(string ns) => _services.List(ns);

    public IReadOnlyList<V1ReplicationController> ReplicationControllers(string ns) => _rcs.List(ns);

    public IReadOnlyList<V1ReplicaSet> ReplicaSets(string ns) => _rss.List(ns);

    public IReadOnlyList<V1StatefulSet> StatefulSets(string ns) => _statefulSets.List(ns);

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets() => _pdbs.List();

    public V1PersistentVolumeClaim? PersistentVolumeClaim(string ns, string name) => _pvcs.Get(ns, name);

    public V1PersistentVolume? PersistentVolume(string name) => _pvs.Get(null, name);

    public IReadOnlyList<V1PersistentVolume> PersistentVolumes() => _pvs.List();

    public V1StorageClass? StorageClass(string name) => _storageClasses.Get(null, name);
}
