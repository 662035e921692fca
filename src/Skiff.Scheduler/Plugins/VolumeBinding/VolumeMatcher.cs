using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.VolumeBinding;

/// <summary>
/// Upstream's <c>volume.FindMatchingVolume</c> (component-helpers, shared by the PV controller and the scheduler) on
/// the scheduler's path: for an unbound claim and a node, the volume already bound to the claim (if its node affinity
/// allows the node), else the smallest Available volume of the claim's class, volume mode and access modes, matching
/// its selector and node affinity, at least as large as the request, not deleting, not claimed by another claim and not
/// in <c>excluded</c> (chosen for another claim of the pod or assumed by another pod).
/// </summary>
internal static class VolumeMatcher
{
    public const string BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    public static V1PersistentVolume? FindMatchingVolume(V1PersistentVolumeClaim claim, IEnumerable<V1PersistentVolume> volumes, V1Node node, Func<string, bool> excluded)
    {
        var requested = Storage(claim.Spec?.Resources?.Requests);
        var className = ClassOf(claim);
        var claimMode = claim.Spec?.VolumeMode ?? "Filesystem";
        V1PersistentVolume? smallest = null;
        var smallestSize = decimal.MaxValue;
        foreach (var volume in volumes)
        {
            if (excluded(volume.Metadata.Name) || (volume.Spec?.ClaimRef is not null && !IsBoundTo(volume, claim)))
            {
                continue;
            }

            var size = Storage(volume.Spec?.Capacity);
            if (size < requested || (volume.Spec?.VolumeMode ?? "Filesystem") != claimMode || volume.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            var affinityOk = volume.Spec?.NodeAffinity?.Required is not { } required || Matching.Matches(required, node);
            if (IsBoundTo(volume, claim))
            {
                return affinityOk ? volume : null;
            }

            if (volume.Status?.Phase != "Available" || (claim.Spec?.Selector is { } selector && !Matching.Matches(selector, volume.Metadata.Labels))
                || ClassOf(volume) != className || !affinityOk || !(claim.Spec?.AccessModes ?? []).All(m => volume.Spec?.AccessModes?.Contains(m) == true))
            {
                continue;
            }

            if (size < smallestSize)
            {
                (smallest, smallestSize) = (volume, size);
            }
        }

        return smallest;
    }

    /// <summary>The volume's claimRef names the claim (namespace, name and, when the ref has one, uid).</summary>
    public static bool IsBoundTo(V1PersistentVolume volume, V1PersistentVolumeClaim claim) =>
        volume.Spec?.ClaimRef is { } r && r.Name == claim.Metadata.Name && r.NamespaceProperty == claim.Metadata.NamespaceProperty
        && (string.IsNullOrEmpty(r.Uid) || r.Uid == claim.Metadata.Uid);

    /// <summary>Bytes of <c>storage</c> in a capacity or request map (0 when absent).</summary>
    public static decimal Storage(IDictionary<string, ResourceQuantity>? resources) =>
        resources?.TryGetValue("storage", out var q) == true && q is not null ? q.ToDecimal() : 0;

    /// <summary>A claim's class: the beta annotation, else spec (upstream's <c>GetPersistentVolumeClaimClass</c>).</summary>
    public static string ClassOf(V1PersistentVolumeClaim claim) =>
        claim.Metadata.Annotations?.TryGetValue(BetaStorageClassAnnotation, out var c) == true ? c : claim.Spec?.StorageClassName ?? "";

    /// <summary>A volume's class: the beta annotation, else spec (upstream's <c>GetPersistentVolumeClass</c>).</summary>
    public static string ClassOf(V1PersistentVolume volume) =>
        volume.Metadata.Annotations?.TryGetValue(BetaStorageClassAnnotation, out var c) == true ? c : volume.Spec?.StorageClassName ?? "";
}
