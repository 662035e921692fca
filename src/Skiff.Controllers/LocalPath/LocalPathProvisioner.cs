using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.PersistentVolume;

namespace Skiff.Controllers.LocalPath;

/// <summary>
/// k3s's <c>local-path-provisioner</c> (rancher/local-path-provisioner on sig-storage-lib-external-provisioner), in
/// process. On start it ensures the default StorageClass <c>local-path</c> (provisioner <c>rancher.io/local-path</c>,
/// WaitForFirstConsumer, reclaim Delete). A claim handed to it (<c>volume.kubernetes.io/storage-provisioner</c>) with a
/// selected node gets a directory <c>&lt;root&gt;/pvc-&lt;uid&gt;_&lt;namespace&gt;_&lt;claim&gt;</c> and a hostPath
/// PersistentVolume <c>pvc-&lt;claim uid&gt;</c> pre-bound to it, with the claim's size, access modes and volume mode,
/// the class's reclaim policy and node affinity to the node's <c>kubernetes.io/hostname</c>. When such a volume is
/// Released under the Delete policy, its directory and then the volume are deleted. This is one machine: the directory
/// is made here, not by a helper pod on the node.
/// </summary>
internal sealed partial class LocalPathProvisioner : IReconciler, IRunnable
{
    /// <summary>The provisioner's name.</summary>
    public const string Name = "rancher.io/local-path";

    /// <summary>The StorageClass it ensures.</summary>
    public const string ClassName = "local-path";

    private readonly ControllerContext _ctx;
    private readonly string _root;
    private readonly Lister<V1PersistentVolumeClaim> _claims;
    private readonly Lister<V1PersistentVolume> _volumes;
    private readonly Lister<V1StorageClass> _classes;
    private readonly Lister<V1Node> _nodes;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    private LocalPathProvisioner(ControllerContext ctx)
    {
        _ctx = ctx;
        _root = Path.GetFullPath(ctx.StorageDirectory ??
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "skiff", "storage"));
        var informers = ctx.Manager.Informers;
        _claims = informers.Informer<V1PersistentVolumeClaim>().Lister;
        _volumes = informers.Informer<V1PersistentVolume>().Lister;
        _classes = informers.Informer<V1StorageClass>().Lister;
        _nodes = informers.Informer<V1Node>().Lister;
        _events = ctx.Manager.CreateEventRecorder(Name + "_skiff");
        _logger = ctx.LoggerFactory.CreateLogger<LocalPathProvisioner>();
    }

    /// <summary>The directory volumes are made under.</summary>
    public string Root => _root;

    /// <summary>Registers the provisioner: the StorageClass runnable, and a controller over claims and volumes.</summary>
    public static LocalPathProvisioner Register(ControllerContext ctx)
    {
        var p = new LocalPathProvisioner(ctx);
        ctx.Manager.Add(p);
        ctx.Manager.CreateController().Named("local-path-provisioner")
            .For<V1PersistentVolumeClaim>(c => string.IsNullOrEmpty(c.Spec?.VolumeName))
            .Watches<V1PersistentVolume>(v => VolumeHelpers.Get(v.Metadata, VolumeHelpers.AnnProvisionedBy) == Name ? [new ReconcileRequest(null, v.Metadata.Name)] : [])
            .Complete(p);
        return p;
    }

    /// <summary>Ensures the <c>local-path</c> StorageClass, retrying until it exists, then idles.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await EnsureClassAsync(ct).ConfigureAwait(false);
            await Task.Delay(Timeout.InfiniteTimeSpan, _ctx.TimeProvider, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task EnsureClassAsync(CancellationToken ct)
    {
        var classes = _ctx.Clientset.Resource<V1StorageClass, V1StorageClassList>();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await classes.CreateAsync(new V1StorageClass
                {
                    ApiVersion = "storage.k8s.io/v1",
                    Kind = "StorageClass",
                    Metadata = new V1ObjectMeta { Name = ClassName, Annotations = new Dictionary<string, string> { [VolumeHelpers.AnnDefaultClass] = "true" } },
                    Provisioner = Name,
                    ReclaimPolicy = "Delete",
                    VolumeBindingMode = "WaitForFirstConsumer",
                }, ct: ct).ConfigureAwait(false);
                return;
            }
            catch (KubernetesApiException e) when (e.IsAlreadyExists)
            {
                return;
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
            {
                LogClassFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt, 5))), _ctx.TimeProvider, ct).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (request.Namespace is null)
        {
            if (_volumes.Get(null, request.Name) is { } volume)
            {
                await MaybeDeleteAsync(volume, ct).ConfigureAwait(false);
            }
        }
        else if (_claims.Get(request.Namespace, request.Name) is { } claim)
        {
            await MaybeProvisionAsync(claim, ct).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    private async Task MaybeProvisionAsync(V1PersistentVolumeClaim claim, CancellationToken ct)
    {
        var provisioner = VolumeHelpers.Get(claim.Metadata, VolumeHelpers.AnnStorageProvisioner) ?? VolumeHelpers.Get(claim.Metadata, VolumeHelpers.AnnBetaStorageProvisioner);
        if (provisioner != Name || !string.IsNullOrEmpty(claim.Spec?.VolumeName) || claim.Metadata.DeletionTimestamp is not null ||
            _classes.Get(null, VolumeHelpers.ClassOf(claim)) is not { Provisioner: Name } storageClass)
        {
            return;
        }

        var pvName = "pvc-" + claim.Metadata.Uid;
        if (_volumes.Get(null, pvName) is not null)
        {
            return;
        }

        if (VolumeHelpers.Get(claim.Metadata, VolumeHelpers.AnnSelectedNode) is not { } nodeName)
        {
            _events.Event(claim, EventRecorder.Warning, "ProvisioningFailed",
                $"failed to provision volume with StorageClass \"{storageClass.Metadata.Name}\": configuration error, no node was specified");
            return;
        }

        if (claim.Spec?.Selector is not null)
        {
            _events.Event(claim, EventRecorder.Warning, "ProvisioningFailed",
                $"failed to provision volume with StorageClass \"{storageClass.Metadata.Name}\": claim.Spec.Selector is not supported");
            return;
        }

        _events.Event(claim, EventRecorder.Normal, "Provisioning", $"External provisioner is provisioning volume for claim \"{claim.Metadata.NamespaceProperty}/{claim.Metadata.Name}\"");
        var hostname = _nodes.Get(null, nodeName)?.Metadata.Labels?.TryGetValue("kubernetes.io/hostname", out var h) == true ? h : nodeName;
        var path = Path.Combine(_root, $"{pvName}_{claim.Metadata.NamespaceProperty}_{claim.Metadata.Name}");
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        }

        var storage = claim.Spec?.Resources?.Requests?.TryGetValue("storage", out var q) == true ? q : new ResourceQuantity("0");
        var volume = new V1PersistentVolume
        {
            ApiVersion = "v1",
            Kind = "PersistentVolume",
            Metadata = new V1ObjectMeta { Name = pvName, Annotations = new Dictionary<string, string> { [VolumeHelpers.AnnProvisionedBy] = Name } },
            Spec = new V1PersistentVolumeSpec
            {
                AccessModes = claim.Spec?.AccessModes,
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = storage },
                ClaimRef = new V1ObjectReference
                {
                    ApiVersion = "v1",
                    Kind = "PersistentVolumeClaim",
                    NamespaceProperty = claim.Metadata.NamespaceProperty,
                    Name = claim.Metadata.Name,
                    Uid = claim.Metadata.Uid,
                    ResourceVersion = claim.Metadata.ResourceVersion,
                },
                HostPath = new V1HostPathVolumeSource { Path = path, Type = "DirectoryOrCreate" },
                NodeAffinity = new V1VolumeNodeAffinity
                {
                    Required = new V1NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [hostname] }] },
                        ],
                    },
                },
                PersistentVolumeReclaimPolicy = storageClass.ReclaimPolicy ?? "Delete",
                StorageClassName = storageClass.Metadata.Name,
                VolumeMode = claim.Spec?.VolumeMode ?? "Filesystem",
                MountOptions = storageClass.MountOptions,
            },
        };
        try
        {
            await _ctx.Clientset.CoreV1().PersistentVolumes().CreateAsync(volume, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
            return;
        }

        LogProvisioned(claim.Metadata.NamespaceProperty, claim.Metadata.Name, pvName, path);
        _events.Event(claim, EventRecorder.Normal, "ProvisioningSucceeded", $"Successfully provisioned volume {pvName}");
    }

    private async Task MaybeDeleteAsync(V1PersistentVolume volume, CancellationToken ct)
    {
        if (volume.Status?.Phase != "Released" || volume.Spec?.PersistentVolumeReclaimPolicy != "Delete" ||
            VolumeHelpers.Get(volume.Metadata, VolumeHelpers.AnnProvisionedBy) != Name || volume.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        if (volume.Spec.HostPath?.Path is { } path && Path.GetFullPath(path) is var full &&
            full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }

        try
        {
            await _ctx.Clientset.CoreV1().PersistentVolumes()
                .DeleteAsync(volume.Metadata.Name, new DeleteOptions { PreconditionUid = volume.Metadata.Uid }, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
        {
            return;
        }

        LogDeleted(volume.Metadata.Name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "provisioned claim {Namespace}/{Name} as volume {Volume} at {Path}")]
    private partial void LogProvisioned(string @namespace, string name, string volume, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "deleted released volume {Volume} and its directory")]
    private partial void LogDeleted(string volume);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not ensure the local-path StorageClass; retrying")]
    private partial void LogClassFailed(Exception e);
}
