using System.Collections.Concurrent;
using k8s.Models;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.VolumeBinding;

/// <summary>
/// Upstream's <c>VolumeBinding</c> (<c>volumebinding/binder.go</c>) over static PersistentVolumes:
/// <list type="bullet">
/// <item>PreFilter reads the pod's claims: a missing claim (<c>persistentvolumeclaim "x" not found</c>), a deleting one,
/// or an unbound claim whose StorageClass binds immediately (<c>pod has unbound immediate PersistentVolumeClaims</c>)
/// makes the pod unschedulable everywhere; unbound <c>WaitForFirstConsumer</c> claims are matched per node, smallest
/// request first.</item>
/// <item>Filter rejects nodes outside a bound volume's node affinity (<c>node(s) had volume node affinity conflict</c>)
/// or whose claim names a missing volume; for each delayed claim it looks for an available volume on that node with
/// the PV controller's rules (<see cref="VolumeMatcher"/>: class, access and volume modes, selector, capacity, node
/// affinity), skipping volumes chosen for the pod's other claims and volumes assumed for other pods; a claim without one
/// must be provisionable there (a provisioner other than <c>kubernetes.io/no-provisioner</c>, the class's
/// <c>allowedTopologies</c>), else <c>node(s) didn't find available persistent volumes to bind</c>.</item>
/// <item>Reserve assumes the chosen volumes (other pods' cycles no longer see them) until the informer shows them
/// claimed; Unreserve forgets them.</item>
/// <item>PreBind writes the bindings as upstream's binder does — the volume's <c>claimRef</c> (with
/// <c>pv.kubernetes.io/bound-by-controller</c>), <c>volume.kubernetes.io/selected-node</c> on claims to provision —
/// then waits until the PV controller has bound every claim (<c>volumeName</c> and <c>bind-completed</c>), up to
/// the bind timeout (upstream's <c>bindTimeoutSeconds</c>, 600 s).</item>
/// </list>
/// Not done: dynamic provisioning capacity (CSIStorageCapacity) and scoring (the VolumeCapacityPriority gate).
/// </summary>
internal sealed partial class VolumeBinding(Clientset? clientset = null, IClusterLister? cluster = null, TimeProvider? time = null, TimeSpan? bindTimeout = null)
    : IPreFilterPlugin, IFilterPlugin, IReservePlugin, IPreBindPlugin
{
    public const string PluginName = "VolumeBinding";
    public const string ErrReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
    public const string ErrReasonNodeConflict = "node(s) had volume node affinity conflict";
    public const string ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
    public const string ErrReasonPVNotExist = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
    public const string SelectedNodeAnnotation = "volume.kubernetes.io/selected-node";
    public const string NoProvisioner = "kubernetes.io/no-provisioner";
    private const string StateKey = "PreFilter" + PluginName;
    private readonly IClusterLister _cluster = cluster ?? EmptyClusterLister.Instance;
    private readonly object _assumedLock = new();

    /// <summary>Volumes assumed bound by a reserved pod: volume name → the claim's uid.</summary>
    private readonly Dictionary<string, string> _assumed = new(StringComparer.Ordinal);

    public string Name => PluginName;

    /// <summary>The volumes currently assumed for reserved pods (for tests).</summary>
    internal int AssumedCount
    {
        get
        {
            lock (_assumedLock)
            {
                return _assumed.Count;
            }
        }
    }

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
                else
                {
                    s.MissingVolume = true;
                }

                continue;
            }

            var className = VolumeMatcher.ClassOf(claim);
            var storageClass = string.IsNullOrEmpty(className) ? null : _cluster.StorageClass(className);
            if (storageClass?.VolumeBindingMode != "WaitForFirstConsumer")
            {
                return Status.Unresolvable(ErrReasonUnboundImmediate);
            }

            s.Delayed.Add((claim, storageClass));
        }

        if (s.Delayed.Count > 0)
        {
            s.Delayed.Sort((a, b) => VolumeMatcher.Storage(a.Claim.Spec?.Resources?.Requests).CompareTo(VolumeMatcher.Storage(b.Claim.Spec?.Resources?.Requests)));
            s.Volumes = _cluster.PersistentVolumes();
            ForgetClaimedAssumptions(s.Volumes);
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

        if (s.MissingVolume)
        {
            return Status.Unresolvable(ErrReasonPVNotExist);
        }

        foreach (var pv in s.Bound)
        {
            if (pv.Spec?.NodeAffinity?.Required is { } required && !Matching.Matches(required, node.Node))
            {
                return Status.Unresolvable(ErrReasonNodeConflict);
            }
        }

        if (s.Delayed.Count == 0)
        {
            return null;
        }

        var chosen = new HashSet<string>(StringComparer.Ordinal);
        var result = new NodeVolumes();
        foreach (var (claim, storageClass) in s.Delayed)
        {
            var pv = VolumeMatcher.FindMatchingVolume(claim, s.Volumes, node.Node, name => chosen.Contains(name) || AssumedForOther(name, claim));
            if (pv is not null)
            {
                chosen.Add(pv.Metadata.Name);
                result.Bindings.Add((claim, pv));
                continue;
            }

            if (string.IsNullOrEmpty(storageClass.Provisioner) || storageClass.Provisioner == NoProvisioner
                || (storageClass.AllowedTopologies is { Count: > 0 } topologies && !topologies.Any(t => Allows(t, node.Node))))
            {
                return Status.Unresolvable(ErrReasonBindConflict);
            }

            result.Provisions.Add(claim);
        }

        s.ByNode[node.Name] = result;
        return null;
    }

    public Status? Reserve(CycleState state, V1Pod pod, string nodeName)
    {
        if (state.Read<PreFilterState>(StateKey) is not { } s || !s.ByNode.TryGetValue(nodeName, out var chosen))
        {
            return null;
        }

        lock (_assumedLock)
        {
            foreach (var (claim, pv) in chosen.Bindings)
            {
                _assumed[pv.Metadata.Name] = claim.Metadata.Uid;
            }
        }

        s.Chosen = chosen;
        return null;
    }

    public void Unreserve(CycleState state, V1Pod pod, string nodeName)
    {
        if (state.Read<PreFilterState>(StateKey) is not { Chosen: { } chosen })
        {
            return;
        }

        lock (_assumedLock)
        {
            foreach (var (claim, pv) in chosen.Bindings)
            {
                if (_assumed.TryGetValue(pv.Metadata.Name, out var uid) && uid == claim.Metadata.Uid)
                {
                    _assumed.Remove(pv.Metadata.Name);
                }
            }
        }
    }

    private bool AssumedForOther(string volume, V1PersistentVolumeClaim claim)
    {
        lock (_assumedLock)
        {
            return _assumed.TryGetValue(volume, out var uid) && uid != claim.Metadata.Uid;
        }
    }

    /// <summary>Drops assumptions the informer has caught up with (the volume is claimed now) or whose volume is gone.</summary>
    private void ForgetClaimedAssumptions(IReadOnlyList<V1PersistentVolume> volumes)
    {
        lock (_assumedLock)
        {
            if (_assumed.Count == 0)
            {
                return;
            }

            var unclaimed = volumes.Where(v => v.Spec?.ClaimRef is null).Select(v => v.Metadata.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in _assumed.Keys.Where(n => !unclaimed.Contains(n)).ToList())
            {
                _assumed.Remove(name);
            }
        }
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

        public bool MissingVolume { get; set; }

        public List<(V1PersistentVolumeClaim Claim, V1StorageClass Class)> Delayed { get; } = [];

        public IReadOnlyList<V1PersistentVolume> Volumes { get; set; } = [];

        /// <summary>What Filter found per feasible node (filters may run concurrently).</summary>
        public ConcurrentDictionary<string, NodeVolumes> ByNode { get; } = new(StringComparer.Ordinal);

        /// <summary>The chosen node's volumes, set by Reserve.</summary>
        public NodeVolumes? Chosen { get; set; }
    }

    private sealed class NodeVolumes
    {
        public List<(V1PersistentVolumeClaim Claim, V1PersistentVolume Volume)> Bindings { get; } = [];

        public List<V1PersistentVolumeClaim> Provisions { get; } = [];
    }
}
