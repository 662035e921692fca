using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// Read-only views of the cluster objects plugins consult besides nodes and pods (upstream's informer listers handed to
/// plugins through the framework handle): namespace labels for <c>namespaceSelector</c>, the owners whose selectors
/// feed PodTopologySpread's system default constraints, PodDisruptionBudgets for preemption, and storage objects for
/// VolumeBinding. Every list is a snapshot of shared, read-only objects.
/// </summary>
public interface IClusterLister
{
    /// <summary>The labels of namespace <paramref name="name"/>, or null when it is not known.</summary>
    IDictionary<string, string>? NamespaceLabels(string name);

    /// <summary>The Services of <paramref name="ns"/>.</summary>
    IReadOnlyList<V1Service> Services(string ns);

    /// <summary>The ReplicationControllers of <paramref name="ns"/>.</summary>
    IReadOnlyList<V1ReplicationController> ReplicationControllers(string ns);

    /// <summary>The ReplicaSets of <paramref name="ns"/>.</summary>
    IReadOnlyList<V1ReplicaSet> ReplicaSets(string ns);

    /// <summary>The StatefulSets of <paramref name="ns"/>.</summary>
    IReadOnlyList<V1StatefulSet> StatefulSets(string ns);

    /// <summary>The PodDisruptionBudgets of every namespace.</summary>
    IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets();

    /// <summary>The claim <paramref name="ns"/>/<paramref name="name"/>, or null.</summary>
    V1PersistentVolumeClaim? PersistentVolumeClaim(string ns, string name);

    /// <summary>The volume <paramref name="name"/>, or null.</summary>
    V1PersistentVolume? PersistentVolume(string name);

    /// <summary>Every PersistentVolume (VolumeBinding matches unbound claims against them).</summary>
    IReadOnlyList<V1PersistentVolume> PersistentVolumes();

    /// <summary>The storage class <paramref name="name"/>, or null.</summary>
    V1StorageClass? StorageClass(string name);
}
