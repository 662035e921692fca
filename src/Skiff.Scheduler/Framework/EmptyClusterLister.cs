using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>An <see cref="IClusterLister"/> that knows no objects (plugins built without a cluster, e.g. in unit tests).</summary>
public sealed class EmptyClusterLister : IClusterLister
{
    /// <summary>The shared instance.</summary>
    public static EmptyClusterLister Instance { get; } = new();

    public IDictionary<string, string>? NamespaceLabels(string name) => null;

    public IReadOnlyList<V1Service> Services(string ns) => [];

    public IReadOnlyList<V1ReplicationController> ReplicationControllers(string ns) => [];

    public IReadOnlyList<V1ReplicaSet> ReplicaSets(string ns) => [];

    public IReadOnlyList<V1StatefulSet> StatefulSets(string ns) => [];

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets() => [];

    public V1PersistentVolumeClaim? PersistentVolumeClaim(string ns, string name) => null;

    public V1PersistentVolume? PersistentVolume(string name) => null;

    public IReadOnlyList<V1PersistentVolume> PersistentVolumes() => [];

    public V1StorageClass? StorageClass(string name) => null;
}
