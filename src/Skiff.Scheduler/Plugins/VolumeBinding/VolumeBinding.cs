using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.VolumeBinding;

/// <summary>
/// Upstream's <c>VolumeBinding</c>, simplified. PreFilter reads the pod's PersistentVolumeClaims: a missing claim
/// (<c>persistentvolumeclaim "x" not found</c>), a deleting one, or an unbound claim whose StorageClass binds
/// immediately (<c>pod has unbound immediate PersistentVolumeClaims</c>) makes the pod unschedulable everywhere.
/// Filter rejects nodes outside a bound PersistentVolume's node affinity (<c>node(s) had volume node affinity
/// conflict</c>) and, for <c>WaitForFirstConsumer</c> claims, nodes outside the class's <c>allowedTopologies</c>
/// (<c>node(s) didn't find available persistent volumes to bind</c>). PreBind sets
/// <c>volume.kubernetes.io/selected-node</c> on each such claim so that the PV controller or a provisioner binds it
/// there. Unlike upstream it neither matches existing unbound PVs itself nor waits for the claims to be bound before
/// binding the pod (the kubelet waits for its volumes anyway).
/// </summary>
internal sealed class VolumeBinding(Clientset? clientset = null, IClusterLister? cluster = null) : IPreFilterPlugin, IFilterPlugin, IPreBindPlugin
{
    public const string PluginName = "VolumeBinding";
    public const string ErrReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
    public const string ErrReasonNodeConflict = "node(s) had volume node affinity conflict";
    public const string ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
    public const string SelectedNodeAnnotation = "volume.kubernetes.io/selected-node";
    private const string StateKey = "PreFilter" + PluginName;
    private readonly IClusterLister _cluster = cluster ?? EmptyClusterLister.Instance;

    public string Name => PluginName;

    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var names = (pod.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).Select(v => v.PersistentVolumeClaim.ClaimName).ToList();
        if (names.Count == 0)
        {
            return Status.Skip;
        }

        var ns = pod.Metadata.NamespaceProperty ?? "";
        var s = new PreFilterState();
        foreach (var name in names)
        {
            var claim = _cluster.PersistentVolumeClaim(ns, name);
            if (claim is null)
            {
                return Status.Unresolvable($"persistentvolumeclaim \"{name}\" not found");
            }

            if (claim.Metadata.DeletionTimestamp is not null)
            {
                return Status.Unresolvable($"persistentvolumeclaim \"{name}\" is being deleted");
            }

            if (!string.IsNullOrEmpty(claim.Spec?.VolumeName))
            {
                if (_cluster.PersistentVolume(claim.Spec.VolumeName) is { } pv)
                {
                    s.Bound.Add(pv);
                }

                continue;
            }

            var className = claim.Spec?.StorageClassName;
            var storageClass = string.IsNullOrEmpty(className) ? null : _cluster.StorageClass(className);
            if (storageClass?.VolumeBindingMode != "WaitForFirstConsumer")
            {
                return Status.Unresolvable(ErrReasonUnboundImmediate);
            }

            s.Delayed.Add((claim, storageClass));
        }

        state.Write(StateKey, s);
        return null;
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (state.Read<PreFilterState>(StateKey) is not { } s)
        {
            return null;
        }

        foreach (var pv in s.Bound)
        {
            if (pv.Spec?.NodeAffinity?.Required is { } required && !Matching.Matches(required, node.Node))
            {
                return Status.Unresolvable(ErrReasonNodeConflict);
            }
        }

        foreach (var (_, storageClass) in s.Delayed)
        {
            if (storageClass.AllowedTopologies is { Count: > 0 } topologies && !topologies.Any(t => Allows(t, node.Node)))
            {
                return Status.Unresolvable(ErrReasonBindConflict);
            }
        }

        return null;
    }

    public async Task<Status?> PreBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken ct)
    {
        if (state.Read<PreFilterState>(StateKey) is not { Delayed.Count: > 0 } s || clientset is null)
        {
            return null;
        }

        foreach (var (claim, _) in s.Delayed)
        {
            if (claim.Metadata.Annotations?.TryGetValue(SelectedNodeAnnotation, out var selected) == true && selected == nodeName)
            {
                continue;
            }

            var patch = new Dictionary<string, object?>
            {
                ["metadata"] = new Dictionary<string, object?> { ["annotations"] = new Dictionary<string, object?> { [SelectedNodeAnnotation] = nodeName } },
            };
            try
            {
                await clientset.CoreV1().PersistentVolumeClaims(claim.Metadata.NamespaceProperty)
                    .PatchAsync(claim.Metadata.Name, PatchType.Merge, patch, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e)
            {
                return Status.Error($"binding volumes: {e.Message}");
            }
        }

        return null;
    }

    /// <summary>A topology selector term: every requirement's key has one of its values on the node.</summary>
    private static bool Allows(V1TopologySelectorTerm term, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        return (term.MatchLabelExpressions ?? []).All(r => labels.TryGetValue(r.Key, out var v) && (r.Values ?? []).Contains(v));
    }

    private sealed class PreFilterState
    {
        public List<V1PersistentVolume> Bound { get; } = [];

        public List<(V1PersistentVolumeClaim Claim, V1StorageClass Class)> Delayed { get; } = [];
    }
}
