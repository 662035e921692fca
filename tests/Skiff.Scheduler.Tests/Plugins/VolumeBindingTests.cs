using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.VolumeBinding;
using Skiff.Scheduler.Queue;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>VolumeBinding's PreFilter and Filter on in-memory claims, volumes and classes (upstream volumebinding cases in spirit).</summary>
public sealed class VolumeBindingTests
{
    private static V1Pod PodWithClaim(string claim)
    {
        var p = Make.Pod("p");
        p.Spec.Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } }];
        return p;
    }

    private static V1PersistentVolumeClaim Claim(string name, string? className = null, string? volume = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1PersistentVolumeClaimSpec { StorageClassName = className, VolumeName = volume },
    };

    private static FakeCluster Cluster(params V1PersistentVolumeClaim[] claims)
    {
        var c = new FakeCluster();
        foreach (var claim in claims)
        {
            c.Claims["default/" + claim.Metadata.Name] = claim;
        }

        c.Classes["wait"] = new V1StorageClass { Metadata = new V1ObjectMeta { Name = "wait" }, Provisioner = "p", VolumeBindingMode = "WaitForFirstConsumer" };
        c.Classes["now"] = new V1StorageClass { Metadata = new V1ObjectMeta { Name = "now" }, Provisioner = "p", VolumeBindingMode = "Immediate" };
        return c;
    }

    [Fact]
    public void NoClaims_Skips() => Assert.Equal(Code.Skip, new VolumeBinding().PreFilter(new CycleState(), Make.Pod("p"), [])?.Code);

    [Fact]
    public void MissingClaim_Unresolvable()
    {
        var s = new VolumeBinding(null, Cluster()).PreFilter(new CycleState(), PodWithClaim("gone"), []);
        Assert.Equal((Code.UnschedulableAndUnresolvable, "persistentvolumeclaim \"gone\" not found"), (s?.Code, s?.Message));
    }

    [Theory]
    [InlineData("now")]
    [InlineData(null)]
    public void UnboundImmediateClaim_Unresolvable(string? className)
    {
        var s = new VolumeBinding(null, Cluster(Claim("c", className))).PreFilter(new CycleState(), PodWithClaim("c"), []);
        Assert.Equal(VolumeBinding.ErrReasonUnboundImmediate, s?.Message);
    }

    [Fact]
    public void WaitForFirstConsumerClaim_FitsNodesInTheClassTopology()
    {
        var cluster = Cluster(Claim("c", "wait"));
        cluster.Classes["wait"].AllowedTopologies = [new V1TopologySelectorTerm { MatchLabelExpressions = [new V1TopologySelectorLabelRequirement { Key = "zone", Values = ["z1"] }] }];
        var plugin = new VolumeBinding(null, cluster);
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, PodWithClaim("c"), []));
        Assert.Null(plugin.Filter(state, PodWithClaim("c"), Make.Node("in", labels: new Dictionary<string, string> { ["zone"] = "z1" })));
        Assert.Equal(VolumeBinding.ErrReasonBindConflict, plugin.Filter(state, PodWithClaim("c"), Make.Node("out", labels: new Dictionary<string, string> { ["zone"] = "z2" }))?.Message);
    }

    [Fact]
    public void BoundVolumeNodeAffinity_FiltersNodes()
    {
        var cluster = Cluster(Claim("c", "now", volume: "pv1"));
        cluster.Volumes["pv1"] = new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = "pv1" },
            Spec = new V1PersistentVolumeSpec
            {
                NodeAffinity = new V1VolumeNodeAffinity
                {
                    Required = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = ["n1"] }] }] },
                },
            },
        };
        var plugin = new VolumeBinding(null, cluster);
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, PodWithClaim("c"), []));
        Assert.Null(plugin.Filter(state, PodWithClaim("c"), Make.Node("n1")));
        var s = plugin.Filter(state, PodWithClaim("c"), Make.Node("n2"));
        Assert.Equal((Code.UnschedulableAndUnresolvable, VolumeBinding.ErrReasonNodeConflict), (s?.Code, s?.Message));
    }

    [Theory]
    [InlineData(VolumeBinding.PluginName, ClusterEvent.Storage, true)]
    [InlineData(VolumeBinding.PluginName, ClusterEvent.AssignedPodAdd, false)]
    [InlineData("NodeResourcesFit", ClusterEvent.AssignedPodAdd, false)]
    [InlineData("NodeResourcesFit", ClusterEvent.AssignedPodDelete, true)]
    [InlineData("InterPodAffinity", ClusterEvent.AssignedPodAdd, true)]
    [InlineData("PodTopologySpread", ClusterEvent.Storage, false)]
    [InlineData("SomeOutOfTreePlugin", ClusterEvent.Storage, true)]
    public void EventsToRegister_MovesOnlyOnEventsTheRejectorRegistered(string plugin, ClusterEvent e, bool moves) =>
        Assert.Equal(moves, EventsToRegister.Interested([plugin], e));
}
