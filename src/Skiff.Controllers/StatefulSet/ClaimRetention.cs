using k8s.Models;

namespace Skiff.Controllers.StatefulSet;

/// <summary>
/// Upstream's <c>updateClaimOwnerRefForSetAndPod</c>: the owner references a claim of a StatefulSet pod gets under
/// <c>persistentVolumeClaimRetentionPolicy</c> — WhenDeleted=Delete: the set owns its claims (deleted with it);
/// WhenScaled=Delete: the pod owns its claim once the pod is outside the ordinal range (deleted with it on scale-down);
/// Retain: no such owners.
/// </summary>
internal static class ClaimRetention
{
    /// <summary>Adjusts <paramref name="claim"/>'s owner references; true when they changed.</summary>
    public static bool UpdateOwnerRefs(V1PersistentVolumeClaim claim, V1StatefulSet set, V1Pod pod)
    {
        var (whenDeleted, whenScaled) = StatefulSetUtil.RetentionPolicy(set);
        var scaledDown = !StatefulSetUtil.InOrdinalRange(pod, set);
        var changed = false;
        var setOwns = whenDeleted == "Delete" && !(whenScaled == "Delete" && scaledDown);
        var podOwns = whenScaled == "Delete" && scaledDown;
        changed |= setOwns ? Set(claim, set.Metadata, StatefulSetUtil.ApiVersion, StatefulSetUtil.Kind) : Remove(claim, set.Metadata.Uid);
        if (!string.IsNullOrEmpty(pod.Metadata.Uid))
        {
            changed |= podOwns ? Set(claim, pod.Metadata, "v1", "Pod") : Remove(claim, pod.Metadata.Uid);
        }

        return changed;
    }

    private static bool Set(V1PersistentVolumeClaim claim, V1ObjectMeta owner, string apiVersion, string kind)
    {
        if (claim.Metadata.OwnerReferences?.Any(r => r.Uid == owner.Uid) == true)
        {
            return false;
        }

        claim.Metadata.OwnerReferences = [.. claim.Metadata.OwnerReferences ?? [], new V1OwnerReference { ApiVersion = apiVersion, Kind = kind, Name = owner.Name, Uid = owner.Uid }];
        return true;
    }

    private static bool Remove(V1PersistentVolumeClaim claim, string uid)
    {
        if (claim.Metadata.OwnerReferences?.Any(r => r.Uid == uid) != true)
        {
            return false;
        }

        claim.Metadata.OwnerReferences = [.. claim.Metadata.OwnerReferences.Where(r => r.Uid != uid)];
        return true;
    }
}
