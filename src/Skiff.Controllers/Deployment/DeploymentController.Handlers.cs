using k8s.Models;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Deployment;

/// <summary>Informer handlers (upstream's <c>addReplicaSet</c>, <c>updateReplicaSet</c>, <c>deleteReplicaSet</c>, <c>deletePod</c>).</summary>
internal sealed partial class DeploymentController
{
    private void OnReplicaSetAdded(V1ReplicaSet rs)
    {
        if (rs.Metadata.DeletionTimestamp is not null)
        {
            OnReplicaSetDeleted(rs);
            return;
        }

        if (ControllerRefManager<V1ReplicaSet>.ControllerOf(rs.Metadata) is { } owner)
        {
            if (_owners.Resolve(rs.Metadata.NamespaceProperty, owner) is { } d)
            {
                Enqueue(d);
            }

            return;
        }

        foreach (var d in _owners.Selecting(rs.Metadata))
        {
            Enqueue(d);
        }
    }

    private void OnReplicaSetUpdated(V1ReplicaSet old, V1ReplicaSet cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return;
        }

        var curRef = ControllerRefManager<V1ReplicaSet>.ControllerOf(cur.Metadata);
        var oldRef = ControllerRefManager<V1ReplicaSet>.ControllerOf(old.Metadata);
        var refChanged = curRef?.Uid != oldRef?.Uid;
        if (refChanged && oldRef is not null && _owners.Resolve(old.Metadata.NamespaceProperty, oldRef) is { } oldD)
        {
            Enqueue(oldD);
        }

        if (curRef is not null)
        {
            if (_owners.Resolve(cur.Metadata.NamespaceProperty, curRef) is { } d)
            {
                Enqueue(d);
            }

            return;
        }

        var labelsChanged = !(old.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SequenceEqual((cur.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal));
        if (labelsChanged || refChanged)
        {
            foreach (var d in _owners.Selecting(cur.Metadata))
            {
                Enqueue(d);
            }
        }
    }

    private void OnReplicaSetDeleted(V1ReplicaSet rs)
    {
        if (ControllerRefManager<V1ReplicaSet>.ControllerOf(rs.Metadata) is { } owner && _owners.Resolve(rs.Metadata.NamespaceProperty, owner) is { } d)
        {
            Enqueue(d);
        }
    }

    /// <summary>A Recreate Deployment waits for the last old pod to go: sync it when its last pod is deleted.</summary>
    private void OnPodDeleted(V1Pod pod)
    {
        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is not { Kind: "ReplicaSet" } rsRef ||
            _replicaSets.Lister.Get(pod.Metadata.NamespaceProperty, rsRef.Name) is not { } rs || rs.Metadata.Uid != rsRef.Uid ||
            ControllerRefManager<V1ReplicaSet>.ControllerOf(rs.Metadata) is not { } dRef ||
            _owners.Resolve(pod.Metadata.NamespaceProperty, dRef) is not { } d || DeploymentUtil.IsRollingUpdate(d))
        {
            return;
        }

        var owned = _replicaSets.Lister.List(d.Metadata.NamespaceProperty)
            .Where(r => ControllerRefManager<V1ReplicaSet>.ControllerOf(r.Metadata)?.Uid == d.Metadata.Uid).ToList();
        if (PodMap(d, owned).Values.Sum(p => p.Count) == 0)
        {
            Enqueue(d);
        }
    }

}
