using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Tests.Testing;

/// <summary>An in-memory <see cref="IClusterLister"/> whose lists the test fills.</summary>
internal sealed class FakeCluster : IClusterLister
{
    public Dictionary<string, IDictionary<string, string>> Namespaces { get; } = new(StringComparer.Ordinal);

    public List<V1Service> ServiceList { get; } = [];

    public List<V1ReplicaSet> ReplicaSetList { get; } = [];

    public List<V1PodDisruptionBudget> Pdbs { get; } = [];

    public Dictionary<string, V1PersistentVolumeClaim> Claims { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, V1PersistentVolume> Volumes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, V1StorageClass> Classes { get; } = new(StringComparer.Ordinal);

    public IDictionary<string, string>? NamespaceLabels(string name) => Namespaces.GetValueOrDefault(name);

    public IReadOnlyList<V1Service> Services(string ns) => [.. ServiceList.Where(s => s.Metadata.NamespaceProperty == ns)];

    public IReadOnlyList<V1ReplicationController> ReplicationControllers(string ns) => [];

    public IReadOnlyList<V1ReplicaSet> ReplicaSets(string ns) => [.. ReplicaSetList.Where(s => s.Metadata.NamespaceProperty == ns)];

    public IReadOnlyList<V1StatefulSet> StatefulSets(string ns) => [];

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets() => Pdbs;

    public V1PersistentVolumeClaim? PersistentVolumeClaim(string ns, string name) => Claims.GetValueOrDefault(ns + "/" + name);

    public V1PersistentVolume? PersistentVolume(string name) => Volumes.GetValueOrDefault(name);

    public IReadOnlyList<V1PersistentVolume> PersistentVolumes() => [.. Volumes.Values];

    public V1StorageClass? StorageClass(string name) => Classes.GetValueOrDefault(name);
}
