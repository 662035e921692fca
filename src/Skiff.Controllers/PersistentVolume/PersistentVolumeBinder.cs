using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.PersistentVolume;

/// <summary>
/// Upstream's <c>persistentvolume-binder</c> (<c>pkg/controller/volume/persistentvolume/pv_controller.go</c>), without
/// in-tree volume plugins. Claims (requests with a namespace) and volumes (requests without) share one queue.
/// <list type="bullet">
/// <item>An unbound claim binds to the volume already pointing at it, else to the smallest fitting Available volume
/// (<see cref="VolumeHelpers.FindBestMatch"/>): claimRef (and bound-by-controller) on the volume, volumeName,
/// bind-completed (and bound-by-controller) on the claim, phases Bound. A claim without a class first gets the default
/// StorageClass (retroactive assignment).</item>
/// <item>With no fitting volume, a class with a provisioner gets the claim handed to it through the
/// <c>volume.kubernetes.io/storage-provisioner</c> annotation (ExternalProvisioning); otherwise the claim stays Pending.</item>
/// <item>WaitForFirstConsumer classes bind or provision only once the claim has <c>volume.kubernetes.io/selected-node</c>.
/// Upstream's scheduler (VolumeBinding plugin) sets it while scheduling; here, as a simplification, this controller
/// sets it from the pod's <c>spec.nodeName</c> once a pod using the claim is bound to a node.</item>
/// <item>A bound claim whose volume vanished or belongs to another claim is Lost; a volume whose claim is gone is
/// Released; Retain keeps it, Delete leaves it to its provisioner (<c>pv.kubernetes.io/provisioned-by</c>), and a
/// Delete or Recycle volume nobody can reclaim is Failed.</item>
/// </list>
/// </summary>
internal sealed partial class PersistentVolumeBinder : IReconciler
{
    private readonly ControllerContext _ctx;
    private readonly Lister<V1PersistentVolumeClaim> _claims;
    private readonly Lister<V1PersistentVolume> _volumes;
    private readonly Lister<V1StorageClass> _classes;
    private readonly Lister<V1Node> _nodes;
    private readonly Lister<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    private PersistentVolumeBinder(ControllerContext ctx)
    {
        _ctx = ctx;
        var informers = ctx.Manager.Informers;
        _claims = informers.Informer<V1PersistentVolumeClaim>().Lister;
        _volumes = informers.Informer<V1PersistentVolume>().Lister;
        _classes = informers.Informer<V1StorageClass>().Lister;
        _nodes = informers.Informer<V1Node>().Lister;
        _pods = informers.Informer<V1Pod>().Lister;
        _events = ctx.Manager.CreateEventRecorder("persistentvolume-controller");
        _logger = ctx.LoggerFactory.CreateLogger<PersistentVolumeBinder>();
    }

    /// <summary>Registers the binder: claims, volumes (and their claims), classes, and pods bound to nodes.</summary>
    public static Controller Register(ControllerContext ctx) =>
        ctx.Manager.CreateController().Named("persistentvolume-binder")
            .For<V1PersistentVolumeClaim>()
            .Watches<V1PersistentVolumeClaim>(c => c.Spec?.VolumeName is { Length: > 0 } v ? [new ReconcileRequest(null, v)] : [])
            .Watches<V1PersistentVolume>(v => v.Spec?.ClaimRef is { } r
                ? [new ReconcileRequest(null, v.Metadata.Name), new ReconcileRequest(r.NamespaceProperty, r.Name)]
                : [new ReconcileRequest(null, v.Metadata.Name)])
            .Watches<V1Pod>(p => p.Spec?.NodeName is { Length: > 0 }
                ? (p.Spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null)
                    .Select(v => new ReconcileRequest(p.Metadata.NamespaceProperty, v.PersistentVolumeClaim.ClaimName))
                : [])
            .Complete(new PersistentVolumeBinder(ctx));

    private CoreV1Client Core => _ctx.Clientset.CoreV1();

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (request.Namespace is null)
        {
            if (_volumes.Get(null, request.Name) is { } volume)
            {
                await SyncVolumeAsync(KubernetesSerialization.DeepCopy(volume), ct).ConfigureAwait(false);
            }
        }
        else if (_claims.Get(request.Namespace, request.Name) is { } claim)
        {
            var c = KubernetesSerialization.DeepCopy(claim);
            if (!VolumeHelpers.Has(c.Metadata, VolumeHelpers.AnnBindCompleted))
            {
                await SyncUnboundClaimAsync(c, ct).ConfigureAwait(false);
            }
            else
            {
                await SyncBoundClaimAsync(c, ct).ConfigureAwait(false);
            }
        }

        return ReconcileResult.Done;
    }

    private async Task SyncUnboundClaimAsync(V1PersistentVolumeClaim claim, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            if (VolumeHelpers.HasNoClass(claim) && DefaultClass() is { } def)
            {
                await Claims(claim).PatchAsync(claim.Metadata.Name, PatchType.Merge, new { spec = new { storageClassName = def.Metadata.Name } }, ct: ct).ConfigureAwait(false);
                return;
            }

            var className = VolumeHelpers.ClassOf(claim);
            var storageClass = className.Length > 0 ? _classes.Get(null, className) : null;
            var delay = storageClass?.VolumeBindingMode == "WaitForFirstConsumer";
            var selectedNode = VolumeHelpers.Get(claim.Metadata, VolumeHelpers.AnnSelectedNode);
            if (delay && selectedNode is null && FirstConsumerNode(claim) is { } consumerNode)
            {
                await AnnotateAsync(claim, VolumeHelpers.AnnSelectedNode, consumerNode, ct).ConfigureAwait(false);
                return;
            }

            var node = selectedNode is null ? null : _nodes.Get(null, selectedNode);
            var volume = VolumeHelpers.FindBestMatch(claim, _volumes.List(), node, delay);
            if (volume is not null)
            {
                await BindAsync(volume, claim, byController: true, ct).ConfigureAwait(false);
                return;
            }

            if (delay && selectedNode is null)
            {
                _events.Event(claim, EventRecorder.Normal, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
            }
            else if (storageClass is { Provisioner: { Length: > 0 } provisioner } && provisioner != "kubernetes.io/no-provisioner")
            {
                if (VolumeHelpers.Get(claim.Metadata, VolumeHelpers.AnnStorageProvisioner) != provisioner)
                {
                    claim = await Claims(claim).PatchAsync(claim.Metadata.Name, PatchType.Merge, new
                    {
                        metadata = new { annotations = new Dictionary<string, string> { [VolumeHelpers.AnnStorageProvisioner] = provisioner, [VolumeHelpers.AnnBetaStorageProvisioner] = provisioner } },
                    }, ct: ct).ConfigureAwait(false);
                }

                _events.Event(claim, EventRecorder.Normal, "ExternalProvisioning",
                    $"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.");
            }
            else if (className.Length > 0 && storageClass is null)
            {
                _events.Event(claim, EventRecorder.Warning, "ProvisioningFailed", $"storageclass.storage.k8s.io \"{className}\" not found");
            }
            else
            {
                _events.Event(claim, EventRecorder.Normal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            }

            await ClaimPhaseAsync(claim, "Pending", null, ct).ConfigureAwait(false);
            return;
        }

        // Pre-bound by the user to a named volume.
        if (_volumes.Get(null, claim.Spec!.VolumeName) is not { } named)
        {
            _events.Event(claim, EventRecorder.Normal, "FailedBinding", $"volume \"{claim.Spec.VolumeName}\" not found");
            await ClaimPhaseAsync(claim, "Pending", null, ct).ConfigureAwait(false);
        }
        else if (named.Spec?.ClaimRef is null || VolumeHelpers.IsBoundTo(named, claim))
        {
            await BindAsync(KubernetesSerialization.DeepCopy(named), claim, byController: false, ct).ConfigureAwait(false);
        }
        else
        {
            _events.Event(claim, EventRecorder.Warning, "FailedBinding", $"volume \"{claim.Spec.VolumeName}\" already bound to a different claim.");
            await ClaimPhaseAsync(claim, "Pending", null, ct).ConfigureAwait(false);
        }
    }

    private async Task SyncBoundClaimAsync(V1PersistentVolumeClaim claim, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            await LostAsync(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!", ct).ConfigureAwait(false);
        }
        else if (_volumes.Get(null, claim.Spec.VolumeName) is not { } volume)
        {
            await LostAsync(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!", ct).ConfigureAwait(false);
        }
        else if (volume.Spec?.ClaimRef is null || volume.Spec.ClaimRef.Uid == claim.Metadata.Uid)
        {
            await BindAsync(KubernetesSerialization.DeepCopy(volume), claim, byController: VolumeHelpers.Has(claim.Metadata, VolumeHelpers.AnnBoundByController), ct).ConfigureAwait(false);
        }
        else
        {
            await LostAsync(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly", ct).ConfigureAwait(false);
        }
    }

    private async Task SyncVolumeAsync(V1PersistentVolume volume, CancellationToken ct)
    {
        if (volume.Spec?.ClaimRef is not { } claimRef)
        {
            await VolumePhaseAsync(volume, "Available", ct).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(claimRef.Uid))
        {
            // Pre-bound to a claim that is not bound yet: the claim's sync finishes the binding.
            await VolumePhaseAsync(volume, "Available", ct).ConfigureAwait(false);
            return;
        }

        var claim = _claims.Get(claimRef.NamespaceProperty, claimRef.Name);
        if (claim is not null && claim.Metadata.Uid != claimRef.Uid)
        {
            claim = null;
        }

        if (claim is null)
        {
            if (volume.Status?.Phase is not ("Released" or "Failed"))
            {
                volume = await VolumePhaseAsync(volume, "Released", ct).ConfigureAwait(false);
            }

            await ReclaimAsync(volume, ct).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            return; // the claim's own sync binds it
        }

        if (claim.Spec.VolumeName == volume.Metadata.Name)
        {
            await VolumePhaseAsync(volume, "Bound", ct).ConfigureAwait(false);
            return;
        }

        // The claim is bound to another volume: undo this side of the binding.
        if (VolumeHelpers.Has(volume.Metadata, VolumeHelpers.AnnBoundByController))
        {
            volume.Spec.ClaimRef = null;
            volume.Metadata.Annotations!.Remove(VolumeHelpers.AnnBoundByController);
        }
        else
        {
            volume.Spec.ClaimRef.Uid = null;
        }

        volume = await Core.PersistentVolumes().UpdateAsync(volume, ct: ct).ConfigureAwait(false);
        await VolumePhaseAsync(volume, "Available", ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>reclaimVolume</c> without in-tree plugins.</summary>
    private async Task ReclaimAsync(V1PersistentVolume volume, CancellationToken ct)
    {
        switch (volume.Spec?.PersistentVolumeReclaimPolicy)
        {
            case "Delete" when VolumeHelpers.Has(volume.Metadata, VolumeHelpers.AnnProvisionedBy) || volume.Status?.Phase == "Failed":
                return; // its provisioner deletes it
            case "Delete":
                _events.Event(volume, EventRecorder.Warning, "VolumeFailedDelete",
                    $"error getting deleter volume plugin for volume \"{volume.Metadata.Name}\": no deletable volume plugin matched");
                await VolumePhaseAsync(volume, "Failed", ct).ConfigureAwait(false);
                return;
            case "Recycle" when volume.Status?.Phase != "Failed":
                _events.Event(volume, EventRecorder.Warning, "VolumeFailedRecycle", "No recycler plugin found for the volume!");
                await VolumePhaseAsync(volume, "Failed", ct).ConfigureAwait(false);
                return;
            default:
                return; // Retain: an administrator reclaims it
        }
    }

    /// <summary>Upstream's <c>bind</c>: volume → claim, volume Bound, claim → volume, claim Bound; each step only if needed.</summary>
    private async Task BindAsync(V1PersistentVolume volume, V1PersistentVolumeClaim claim, bool byController, CancellationToken ct)
    {
        if (volume.Spec.ClaimRef is not { } r || r.Uid != claim.Metadata.Uid || r.Name != claim.Metadata.Name || r.NamespaceProperty != claim.Metadata.NamespaceProperty)
        {
            volume.Spec.ClaimRef = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = "PersistentVolumeClaim",
                NamespaceProperty = claim.Metadata.NamespaceProperty,
                Name = claim.Metadata.Name,
                Uid = claim.Metadata.Uid,
                ResourceVersion = claim.Metadata.ResourceVersion,
            };
            if (byController)
            {
                volume.Metadata.Annotations ??= new Dictionary<string, string>();
                volume.Metadata.Annotations[VolumeHelpers.AnnBoundByController] = "yes";
            }

            volume = await Core.PersistentVolumes().UpdateAsync(volume, ct: ct).ConfigureAwait(false);
        }

        await VolumePhaseAsync(volume, "Bound", ct).ConfigureAwait(false);

        if (claim.Spec.VolumeName != volume.Metadata.Name || !VolumeHelpers.Has(claim.Metadata, VolumeHelpers.AnnBindCompleted) ||
            (byController && !VolumeHelpers.Has(claim.Metadata, VolumeHelpers.AnnBoundByController)))
        {
            claim.Spec.VolumeName = volume.Metadata.Name;
            claim.Metadata.Annotations ??= new Dictionary<string, string>();
            claim.Metadata.Annotations[VolumeHelpers.AnnBindCompleted] = "yes";
            if (byController)
            {
                claim.Metadata.Annotations[VolumeHelpers.AnnBoundByController] = "yes";
            }

            claim = await Claims(claim).UpdateAsync(claim, ct: ct).ConfigureAwait(false);
            LogBound(claim.Metadata.NamespaceProperty, claim.Metadata.Name, volume.Metadata.Name);
        }

        await ClaimPhaseAsync(claim, "Bound", volume, ct).ConfigureAwait(false);
    }

    private async Task LostAsync(V1PersistentVolumeClaim claim, string reason, string message, CancellationToken ct)
    {
        if (claim.Status?.Phase != "Lost")
        {
            _events.Event(claim, EventRecorder.Warning, reason, message);
            await ClaimPhaseAsync(claim, "Lost", null, ct).ConfigureAwait(false);
        }
    }

    private async Task ClaimPhaseAsync(V1PersistentVolumeClaim claim, string phase, V1PersistentVolume? volume, CancellationToken ct)
    {
        claim.Status ??= new V1PersistentVolumeClaimStatus();
        var modes = volume?.Spec?.AccessModes ?? claim.Status.AccessModes;
        var capacity = volume is not null ? volume.Spec?.Capacity : phase == "Bound" ? claim.Status.Capacity : null;
        if (claim.Status.Phase == phase && SameModes(claim.Status.AccessModes, modes) &&
            VolumeHelpers.Storage(claim.Status.Capacity) == VolumeHelpers.Storage(capacity))
        {
            return;
        }

        claim.Status.Phase = phase;
        if (volume is not null)
        {
            claim.Status.AccessModes = volume.Spec?.AccessModes;
            claim.Status.Capacity = volume.Spec?.Capacity;
        }
        else if (phase != "Bound")
        {
            claim.Status.Capacity = null;
            claim.Status.AccessModes = null;
        }

        await Claims(claim).UpdateStatusAsync(claim, ct: ct).ConfigureAwait(false);
    }

    private async Task<V1PersistentVolume> VolumePhaseAsync(V1PersistentVolume volume, string phase, CancellationToken ct)
    {
        if (volume.Status?.Phase == phase)
        {
            return volume;
        }

        volume.Status ??= new V1PersistentVolumeStatus();
        volume.Status.Phase = phase;
        volume.Status.LastPhaseTransitionTime = _ctx.TimeProvider.GetUtcNow().UtcDateTime;
        return await Core.PersistentVolumes().UpdateStatusAsync(volume, ct: ct).ConfigureAwait(false);
    }

    private async Task AnnotateAsync(V1PersistentVolumeClaim claim, string key, string value, CancellationToken ct) =>
        await Claims(claim).PatchAsync(claim.Metadata.Name, PatchType.Merge,
            new { metadata = new { annotations = new Dictionary<string, string> { [key] = value } } }, ct: ct).ConfigureAwait(false);

    /// <summary>The node of the first pod bound to a node that uses the claim (the simplified VolumeBinding hand-off).</summary>
    private string? FirstConsumerNode(V1PersistentVolumeClaim claim) =>
        _pods.List(claim.Metadata.NamespaceProperty)
            .Where(p => p.Spec?.NodeName is { Length: > 0 } && p.Metadata.DeletionTimestamp is null &&
                        p.Spec.Volumes?.Any(v => v.PersistentVolumeClaim?.ClaimName == claim.Metadata.Name) == true)
            .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .Select(p => p.Spec.NodeName)
            .FirstOrDefault();

    private V1StorageClass? DefaultClass() =>
        _classes.List()
            .Where(c => VolumeHelpers.Get(c.Metadata, VolumeHelpers.AnnDefaultClass) == "true" ||
                        VolumeHelpers.Get(c.Metadata, "storageclass.beta.kubernetes.io/is-default-class") == "true")
            .OrderByDescending(c => c.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(c => c.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    private ResourceClient<V1PersistentVolumeClaim, V1PersistentVolumeClaimList> Claims(V1PersistentVolumeClaim claim) =>
        Core.PersistentVolumeClaims(claim.Metadata.NamespaceProperty);

    private static bool SameModes(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);

    [LoggerMessage(Level = LogLevel.Information, Message = "claim {Namespace}/{Name} bound to volume {Volume}")]
    private partial void LogBound(string @namespace, string name, string volume);
}
