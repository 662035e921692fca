using k8s.Models;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.PersistentVolume;

/// <summary>
/// The annotations and matching rules of upstream's PV controller (<c>pkg/controller/volume/persistentvolume</c>,
/// <c>index.go</c> and <c>component-helpers/storage/volume</c>).
/// </summary>
internal static class VolumeHelpers
{
    /// <summary>On a claim: the binding is complete (the controller finished it).</summary>
    public const string AnnBindCompleted = "pv.kubernetes.io/bind-completed";

    /// <summary>On a claim or volume: the controller, not the user, made the binding.</summary>
    public const string AnnBoundByController = "pv.kubernetes.io/bound-by-controller";

    /// <summary>On a claim: which provisioner is asked to provision it.</summary>
    public const string AnnStorageProvisioner = "volume.kubernetes.io/storage-provisioner";

    /// <summary>The deprecated beta spelling of <see cref="AnnStorageProvisioner"/>, still set by upstream.</summary>
    public const string AnnBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";

    /// <summary>On a claim: the node the claim's first consumer was scheduled to (WaitForFirstConsumer).</summary>
    public const string AnnSelectedNode = "volume.kubernetes.io/selected-node";

    /// <summary>On a volume: the provisioner that created it.</summary>
    public const string AnnProvisionedBy = "pv.kubernetes.io/provisioned-by";

    /// <summary>On a StorageClass: the default class.</summary>
    public const string AnnDefaultClass = "storageclass.kubernetes.io/is-default-class";

    private const string AnnBetaClass = "volume.beta.kubernetes.io/storage-class";

    /// <summary>A claim's class (spec, else the beta annotation, else "").</summary>
    public static string ClassOf(V1PersistentVolumeClaim claim) =>
        claim.Metadata.Annotations?.TryGetValue(AnnBetaClass, out var c) == true ? c : claim.Spec?.StorageClassName ?? "";

    /// <summary>A volume's class (the beta annotation, else spec, else "").</summary>
    public static string ClassOf(V1PersistentVolume volume) =>
        volume.Metadata.Annotations?.TryGetValue(AnnBetaClass, out var c) == true ? c : volume.Spec?.StorageClassName ?? "";

    /// <summary>Whether the claim states no class at all (retroactive default-class assignment applies).</summary>
    public static bool HasNoClass(V1PersistentVolumeClaim claim) =>
        claim.Spec?.StorageClassName is null && claim.Metadata.Annotations?.ContainsKey(AnnBetaClass) != true;

    public static bool Has(V1ObjectMeta meta, string annotation) => meta.Annotations?.ContainsKey(annotation) == true;

    public static string? Get(V1ObjectMeta meta, string annotation) => meta.Annotations?.TryGetValue(annotation, out var v) == true ? v : null;

    /// <summary>The volume's claimRef names this claim (and its uid, when the ref has one).</summary>
    public static bool IsBoundTo(V1PersistentVolume volume, V1PersistentVolumeClaim claim) =>
        volume.Spec?.ClaimRef is { } r && r.Name == claim.Metadata.Name && r.NamespaceProperty == claim.Metadata.NamespaceProperty &&
        (string.IsNullOrEmpty(r.Uid) || r.Uid == claim.Metadata.Uid);

    /// <summary>Storage in bytes of a capacity or request map (0 when absent).</summary>
    public static decimal Storage(IDictionary<string, ResourceQuantity>? resources) =>
        resources?.TryGetValue("storage", out var q) == true && q is not null ? q.ToDecimal() : 0;

    /// <summary>
    /// Upstream's <c>findMatchingVolume</c>: the volume already bound to the claim, else the smallest Available, unbound
    /// volume that has the claim's class, access modes and volume mode, matches its selector, fits its request and
    /// (when <paramref name="node"/> is known) the node's labels; with delayed binding and no node, only the first.
    /// </summary>
    public static V1PersistentVolume? FindBestMatch(V1PersistentVolumeClaim claim, IEnumerable<V1PersistentVolume> volumes, V1Node? node, bool delayBinding)
    {
        var requested = Storage(claim.Spec?.Resources?.Requests);
        var className = ClassOf(claim);
        var wantModes = claim.Spec?.AccessModes ?? [];
        var claimMode = claim.Spec?.VolumeMode ?? "Filesystem";
        Skiff.Api.Selectors.LabelSelector? selector = null;
        if (claim.Spec?.Selector is { } s)
        {
            try
            {
                selector = Selectors.From(s);
            }
            catch (Skiff.Api.Selectors.SelectorParseException)
            {
                return null;
            }
        }

        V1PersistentVolume? best = null;
        foreach (var volume in volumes)
        {
            if ((volume.Spec?.VolumeMode ?? "Filesystem") != claimMode || volume.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            var nodeOk = node is null || NodeAffinityMatches(volume, node);
            if (IsBoundTo(volume, claim))
            {
                return nodeOk ? volume : null;
            }

            if (node is null && delayBinding)
            {
                continue;
            }

            if (volume.Spec?.ClaimRef is not null || volume.Status?.Phase is { } phase && phase != "Available" || ClassOf(volume) != className || !nodeOk ||
                (selector is not null && !Selectors.Matches(selector, volume.Metadata.Labels)) ||
                !wantModes.All(m => volume.Spec?.AccessModes?.Contains(m) == true))
            {
                continue;
            }

            var size = Storage(volume.Spec?.Capacity);
            if (size < requested)
            {
                continue;
            }

            if (best is null || size < Storage(best.Spec?.Capacity) ||
                (size == Storage(best.Spec?.Capacity) && (volume.Spec?.AccessModes?.Count ?? 0) < (best.Spec?.AccessModes?.Count ?? 0)))
            {
                best = volume;
            }
        }

        return best;
    }

    /// <summary>Upstream's <c>CheckNodeAffinity</c>: the volume's required node selector (if any) matches the node.</summary>
    public static bool NodeAffinityMatches(V1PersistentVolume volume, V1Node node)
    {
        if (volume.Spec?.NodeAffinity?.Required?.NodeSelectorTerms is not { Count: > 0 } terms)
        {
            return true;
        }

        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        return terms.Any(t =>
            (t.MatchExpressions?.Count > 0 || t.MatchFields?.Count > 0) &&
            (t.MatchExpressions ?? []).All(e => Requirement(e, labels.TryGetValue(e.Key, out var v) ? v : null)) &&
            (t.MatchFields ?? []).All(e => e.Key == "metadata.name" && Requirement(e, node.Metadata.Name)));
    }

    private static bool Requirement(V1NodeSelectorRequirement e, string? value) => e.OperatorProperty switch
    {
        "In" => value is not null && e.Values?.Contains(value) == true,
        "NotIn" => value is null || e.Values?.Contains(value) != true,
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => long.TryParse(value, out var a) && long.TryParse(e.Values?.FirstOrDefault(), out var b) && a > b,
        "Lt" => long.TryParse(value, out var c) && long.TryParse(e.Values?.FirstOrDefault(), out var d) && c < d,
        _ => false,
    };
}
