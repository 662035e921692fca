using k8s.Models;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>Informer handlers (upstream's <c>addPod</c>, <c>updatePod</c>, <c>deletePod</c>, <c>deleteRS</c>).</summary>
internal sealed partial class ReplicaSetController
{
    private void OnOwnerDeleted(V1ReplicaSet rs)
    {
        Expectations.Delete(rs.Metadata.NamespaceProperty + "/" + rs.Metadata.Name);
        Enqueue(rs);
    }

    /// <summary>A new pod: observed creation for its controller, or a sync of every ReplicaSet that may adopt it.</summary>
    private void OnPodAdded(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Seen for the first time already being deleted (e.g. after a relist): a deletion.
            OnPodDeleted(pod);
            return;
        }

        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef)
        {
            if (_owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } rs)
            {
                Expectations.CreationObserved(Key(rs));
                Enqueue(rs);
            }

            return;
        }

        foreach (var rs in _owners.Selecting(pod.Metadata))
        {
            Enqueue(rs);
        }
    }

    private void OnPodUpdated(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return;
        }

        var labelsChanged = !LabelsEqual(old.Metadata.Labels, cur.Metadata.Labels);
        if (cur.Metadata.DeletionTimestamp is not null)
        {
            // Graceful deletion started: the controller counts it as gone now, and the pod may leave a selector.
            OnPodDeleted(cur);
            if (labelsChanged)
            {
                OnPodDeleted(old);
            }

            return;
        }

        var curRef = ControllerRefManager<V1Pod>.ControllerOf(cur.Metadata);
        var oldRef = ControllerRefManager<V1Pod>.ControllerOf(old.Metadata);
        var refChanged = curRef?.Uid != oldRef?.Uid || curRef?.Name != oldRef?.Name || curRef?.Kind != oldRef?.Kind;
        if (refChanged && oldRef is not null && _owners.Resolve(old.Metadata.NamespaceProperty, oldRef) is { } oldRs)
        {
            Enqueue(oldRs);
        }

        if (curRef is not null)
        {
            if (_owners.Resolve(cur.Metadata.NamespaceProperty, curRef) is { } rs)
            {
                Enqueue(rs);
                if (!PodStatusUtil.IsReady(old) && PodStatusUtil.IsReady(cur) && rs.Spec.MinReadySeconds is > 0 and var minReady)
                {
                    // Requeue when the pod becomes available.
                    Controller.Queue.AddAfter(Request(rs), TimeSpan.FromSeconds(minReady + 1));
                }
            }

            return;
        }

        if (labelsChanged || refChanged)
        {
            foreach (var rs in _owners.Selecting(cur.Metadata))
            {
                Enqueue(rs);
            }
        }
    }

    private void OnPodDeleted(V1Pod pod)
    {
        if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is { } controllerRef &&
            _owners.Resolve(pod.Metadata.NamespaceProperty, controllerRef) is { } rs)
        {
            Expectations.DeletionObserved(Key(rs), PodStatusUtil.Key(pod));
            Enqueue(rs);
        }
    }

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    private static string Key(V1ReplicaSet rs) => rs.Metadata.NamespaceProperty + "/" + rs.Metadata.Name;

    private static ReconcileRequest Request(V1ReplicaSet rs) => new(rs.Metadata.NamespaceProperty, rs.Metadata.Name);
}
