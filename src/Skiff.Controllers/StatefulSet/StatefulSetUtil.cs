using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;
using Skiff.Controllers.Common.History;

namespace Skiff.Controllers.StatefulSet;

/// <summary>
/// StatefulSet pods and claims as upstream's <c>stateful_set_utils.go</c> defines them: pods named
/// <c>&lt;set&gt;-&lt;ordinal&gt;</c> with hostname and subdomain, the <c>statefulset.kubernetes.io/pod-name</c> and
/// <c>apps.kubernetes.io/pod-index</c> labels and the revision name in <c>controller-revision-hash</c>; claims named
/// <c>&lt;claim&gt;-&lt;set&gt;-&lt;ordinal&gt;</c> mounted as the template's volume of the claim's name.
/// </summary>
internal static partial class StatefulSetUtil
{
    /// <summary>Upstream's <c>StatefulSetPodNameLabel</c>.</summary>
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";

    /// <summary>Upstream's <c>PodIndexLabel</c> (the PodIndexLabel feature, on by default since 1.28).</summary>
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    public const string ApiVersion = "apps/v1";
    public const string Kind = "StatefulSet";

    /// <summary>The first ordinal (<c>spec.ordinals.start</c>, default 0).</summary>
    public static int StartOrdinal(V1StatefulSet set) => set.Spec.Ordinals?.Start ?? 0;

    /// <summary>The last ordinal of the desired range.</summary>
    public static int EndOrdinal(V1StatefulSet set) => StartOrdinal(set) + (set.Spec.Replicas ?? 1) - 1;

    /// <summary>Upstream's <c>getParentNameAndOrdinal</c>: (parent, ordinal) from <c>&lt;parent&gt;-&lt;ordinal&gt;</c>; ordinal −1 when the name is not of that shape.</summary>
    public static (string? Parent, int Ordinal) ParentAndOrdinal(V1Pod pod)
    {
        var m = NamePattern().Match(pod.Metadata.Name ?? "");
        return m.Success && int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            ? (m.Groups[1].Value, ordinal)
            : (null, -1);
    }

    public static int Ordinal(V1Pod pod) => ParentAndOrdinal(pod).Ordinal;

    /// <summary>Upstream's <c>isMemberOf</c>: the pod's name says it belongs to <paramref name="set"/>.</summary>
    public static bool IsMemberOf(V1StatefulSet set, V1Pod pod) => ParentAndOrdinal(pod).Parent == set.Metadata.Name;

    public static string PodName(V1StatefulSet set, int ordinal) => set.Metadata.Name + "-" + ordinal.ToString(CultureInfo.InvariantCulture);

    public static string ClaimName(V1StatefulSet set, V1PersistentVolumeClaim claim, int ordinal) =>
        claim.Metadata.Name + "-" + PodName(set, ordinal);

    public static bool InOrdinalRange(V1Pod pod, V1StatefulSet set)
    {
        var o = Ordinal(pod);
        return o >= StartOrdinal(set) && o <= EndOrdinal(set);
    }

    /// <summary>The revision (name) a pod was made from.</summary>
    public static string? PodRevision(V1Pod pod) => ControllerHistory.HashOf(pod.Metadata);

    public static bool IsCreated(V1Pod pod) => !string.IsNullOrEmpty(pod.Status?.Phase);

    public static bool IsPending(V1Pod pod) => pod.Status?.Phase == "Pending";

    public static bool IsFailed(V1Pod pod) => pod.Status?.Phase == "Failed";

    public static bool IsSucceeded(V1Pod pod) => pod.Status?.Phase == "Succeeded";

    public static bool IsTerminating(V1Pod pod) => pod.Metadata.DeletionTimestamp is not null;

    public static bool IsRunningAndReady(V1Pod pod) => pod.Status?.Phase == "Running" && PodStatusUtil.IsReady(pod);

    public static bool IsRunningAndAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now) =>
        pod.Status?.Phase == "Running" && PodStatusUtil.IsAvailable(pod, minReadySeconds, now);

    /// <summary>Upstream's <c>isHealthy</c>: running, ready and not terminating.</summary>
    public static bool IsHealthy(V1Pod pod) => IsRunningAndReady(pod) && !IsTerminating(pod);

    /// <summary>Upstream's <c>identityMatches</c>.</summary>
    public static bool IdentityMatches(V1StatefulSet set, V1Pod pod)
    {
        var (parent, ordinal) = ParentAndOrdinal(pod);
        return ordinal >= 0 && parent == set.Metadata.Name && pod.Metadata.Name == PodName(set, ordinal) &&
            pod.Metadata.NamespaceProperty == set.Metadata.NamespaceProperty &&
            pod.Metadata.Labels?.TryGetValue(PodNameLabel, out var n) == true && n == pod.Metadata.Name &&
            pod.Metadata.Labels.TryGetValue(PodIndexLabel, out var i) && i == ordinal.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Upstream's <c>updateIdentity</c>: name, namespace, labels, hostname and subdomain from the ordinal.</summary>
    public static void UpdateIdentity(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = Ordinal(pod);
        pod.Metadata.Name = PodName(set, ordinal);
        pod.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[PodNameLabel] = pod.Metadata.Name;
        pod.Metadata.Labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        pod.Spec ??= new V1PodSpec();
        pod.Spec.Hostname = pod.Metadata.Name;
        pod.Spec.Subdomain = string.IsNullOrEmpty(set.Spec.ServiceName) ? null : set.Spec.ServiceName;
    }

    /// <summary>Upstream's <c>getPersistentVolumeClaims</c>: the claims a pod of <paramref name="ordinal"/> needs, by template name.</summary>
    public static Dictionary<string, V1PersistentVolumeClaim> Claims(V1StatefulSet set, int ordinal)
    {
        var claims = new Dictionary<string, V1PersistentVolumeClaim>(StringComparer.Ordinal);
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            var claim = KubernetesSerialization.DeepCopy(template);
            claim.ApiVersion = "v1";
            claim.Kind = "PersistentVolumeClaim";
            claim.Metadata ??= new V1ObjectMeta();
            var templateName = claim.Metadata.Name;
            claim.Metadata.Name = ClaimName(set, template, ordinal);
            claim.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
            claim.Metadata.Labels ??= new Dictionary<string, string>();
            foreach (var (k, v) in set.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>())
            {
                claim.Metadata.Labels[k] = v;
            }

            claim.Status = null;
            claims[templateName] = claim;
        }

        return claims;
    }

    /// <summary>Upstream's <c>storageMatches</c>: every claim template is mounted from the pod's own claim.</summary>
    public static bool StorageMatches(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = Ordinal(pod);
        if (ordinal < 0)
        {
            return false;
        }

        var volumes = (pod.Spec?.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            if (!volumes.TryGetValue(template.Metadata.Name, out var v) || v.PersistentVolumeClaim?.ClaimName != ClaimName(set, template, ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Upstream's <c>updateStorage</c>: the claim volumes replace any template volume of the same name.</summary>
    public static void UpdateStorage(V1StatefulSet set, V1Pod pod)
    {
        var claims = Claims(set, Ordinal(pod));
        if (claims.Count == 0)
        {
            return;
        }

        pod.Spec ??= new V1PodSpec();
        var volumes = new List<V1Volume>();
        foreach (var (name, claim) in claims)
        {
            volumes.Add(new V1Volume { Name = name, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim.Metadata.Name } });
        }

        volumes.AddRange((pod.Spec.Volumes ?? []).Where(v => !claims.ContainsKey(v.Name)));
        pod.Spec.Volumes = volumes;
    }

    /// <summary>Upstream's <c>newStatefulSetPod</c>: the template, the identity, the storage, the controller reference.</summary>
    public static V1Pod NewPod(V1StatefulSet set, int ordinal)
    {
        var template = set.Spec.Template;
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName(set, ordinal),
                NamespaceProperty = set.Metadata.NamespaceProperty,
                Labels = template?.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : new Dictionary<string, string>(),
                Annotations = template?.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                Finalizers = template?.Metadata?.Finalizers is { } f ? [.. f] : null,
                OwnerReferences = [ControllerRefManager<V1Pod>.NewControllerRef(set.Metadata, ApiVersion, Kind)],
            },
            Spec = template?.Spec is { } s ? KubernetesSerialization.DeepCopy(s) : new V1PodSpec(),
        };
        UpdateIdentity(set, pod);
        UpdateStorage(set, pod);
        return pod;
    }

    /// <summary>
    /// Upstream's <c>newVersionedStatefulSetPod</c>: below the partition (or, without one, below currentReplicas) a
    /// pod of the current revision, else of the update revision.
    /// </summary>
    public static V1Pod NewVersionedPod(V1StatefulSet currentSet, V1StatefulSet updateSet, string currentRevision, string updateRevision, int ordinal)
    {
        var strategy = currentSet.Spec.UpdateStrategy;
        var rolling = strategy?.Type is null or "RollingUpdate";
        var useCurrent = rolling && (strategy?.RollingUpdate is null
            ? ordinal < StartOrdinal(currentSet) + (currentSet.Status?.CurrentReplicas ?? 0)
            : ordinal < StartOrdinal(currentSet) + (strategy.RollingUpdate.Partition ?? 0));
        var pod = NewPod(useCurrent ? currentSet : updateSet, ordinal);
        pod.Metadata.Labels![ControllerHistory.HashLabel] = useCurrent ? currentRevision : updateRevision;
        return pod;
    }

    /// <summary>Upstream's <c>ApplyRevision</c>: a copy of the set with the revision's template.</summary>
    public static V1StatefulSet ApplyRevision(V1StatefulSet set, V1ControllerRevision revision)
    {
        var clone = KubernetesSerialization.DeepCopy(set);
        clone.Spec.Template = ControllerHistory.Template(revision);
        return clone;
    }

    /// <summary>The claim retention policy with upstream's defaults (Retain, Retain).</summary>
    public static (string WhenDeleted, string WhenScaled) RetentionPolicy(V1StatefulSet set) =>
        (set.Spec.PersistentVolumeClaimRetentionPolicy?.WhenDeleted ?? "Retain", set.Spec.PersistentVolumeClaimRetentionPolicy?.WhenScaled ?? "Retain");

    [GeneratedRegex("^(.*)-([0-9]+)$")]
    private static partial Regex NamePattern();
}
