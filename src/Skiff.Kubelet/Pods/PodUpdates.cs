using k8s;
using k8s.Models;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// Which informer updates of a pod make its worker sync, as upstream's pod config (<c>podsDifferSemantically</c>) and
/// <c>HandlePodReconcile</c> decide: a change of spec, labels, annotations, deletion timestamp or grace period does;
/// a status-only change (above all the kubelet's own status write echoed back) does not, unless the pod has readiness
/// gates (an outside controller's condition can change its Ready). The worker still takes the new object.
/// </summary>
internal static class PodUpdates
{
    /// <summary>True when <paramref name="updated"/> needs a sync after <paramref name="old"/>.</summary>
    public static bool NeedsSync(V1Pod old, V1Pod updated) =>
        DifferSemantically(old, updated) || updated.Spec?.ReadinessGates is { Count: > 0 };

    /// <summary>Upstream's <c>podsDifferSemantically</c>.</summary>
    public static bool DifferSemantically(V1Pod a, V1Pod b) =>
        a.Metadata.DeletionTimestamp != b.Metadata.DeletionTimestamp
        || a.Metadata.DeletionGracePeriodSeconds != b.Metadata.DeletionGracePeriodSeconds
        || !SameMap(a.Metadata.Labels, b.Metadata.Labels)
        || !SameMap(a.Metadata.Annotations, b.Metadata.Annotations)
        || KubernetesJson.Serialize(a.Spec) != KubernetesJson.Serialize(b.Spec);

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));
}
