using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.VolumeBinding;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>
/// VolumeBinding matching unbound WaitForFirstConsumer claims to static volumes per node (upstream's
/// <c>FindMatchingVolume</c> rules and <c>binder_test.go</c> cases in spirit), and assuming the chosen ones.
/// </summary>
public sealed class VolumeBindingMatchTests
{
    private const string Class = "local";

    private static V1PersistentVolumeClaim Claim(string name, string request = "1Gi", string mode = "ReadWriteOnce", V1LabelSelector? selector = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name },
        Spec = new V1PersistentVolumeClaimSpec
        {
            StorageClassName = Class,
            AccessModes = [mode],
            Selector = selector,
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(request) } },
        },
    };

    private static V1PersistentVolume Volume(string name, string node = "n1", string size = "1Gi", string mode = "ReadWriteOnce", string className = Class,
        string phase = "Available", IDictionary<string, string>? labels = null, V1ObjectReference? claimRef = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PersistentVolumeSpec
        {
            StorageClassName = className,
            AccessModes = [mode],
            Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) },
            ClaimRef = claimRef,
            NodeAffinity = new V1VolumeNodeAffinity
            {
                Required = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [node] }] }] },
            },
        },
        Status = new V1PersistentVolumeStatus { Phase = phase },
    };

    private static V1Pod PodWith(string name, params string[] claims)
    {
        var p = Make.Pod(name);
        p.Spec.Volumes = [.. claims.Select(c => new V1Volume { Name = c, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = c } })];
        return p;
    }

    private static FakeCluster Cluster(IEnumerable<V1PersistentVolumeClaim> claims, IEnumerable<V1PersistentVolume> volumes)
    {
        var c = new FakeCluster();
        foreach (var claim in claims)
        {
            c.Claims["default/" + claim.Metadata.Name] = claim;
        }

        foreach (var v in volumes)
        {
            c.Volumes[v.Metadata.Name] = v;
        }

        c.Classes[Class] = new V1StorageClass { Metadata = new V1ObjectMeta { Name = Class }, Provisioner = VolumeBinding.NoProvisioner, VolumeBindingMode = "WaitForFirstConsumer" };
        return c;
    }

    private static readonly Dictionary<string, (V1PersistentVolumeClaim Claim, V1PersistentVolume Volume, bool Fits)> Cases = new()
    {
        ["fits on its node"] = (Claim("c"), Volume("pv"), true),
        ["larger volume fits"] = (Claim("c"), Volume("pv", size: "10Gi"), true),
        ["too small"] = (Claim("c"), Volume("pv", size: "500Mi"), false),
        ["access mode missing"] = (Claim("c", mode: "ReadWriteMany"), Volume("pv"), false),
        ["other class"] = (Claim("c"), Volume("pv", className: "other"), false),
        ["not available yet"] = (Claim("c"), Volume("pv", phase: "Pending"), false),
        ["claimed by another claim"] = (Claim("c"), Volume("pv", claimRef: new V1ObjectReference { Name = "x", NamespaceProperty = "default", Uid = "uid-x" }), false),
        ["pre-bound to this claim"] = (Claim("c"), Volume("pv", phase: "Pending", claimRef: new V1ObjectReference { Name = "c", NamespaceProperty = "default" }), true),
        ["selector matches"] = (Claim("c", selector: new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["tier"] = "fast" } }), Volume("pv", labels: new Dictionary<string, string> { ["tier"] = "fast" }), true),
        ["selector does not match"] = (Claim("c", selector: new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["tier"] = "fast" } }), Volume("pv"), false),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Filter_MatchesAStaticVolume_OnItsNodeOnly(string name)
    {
        var (claim, volume, fits) = Cases[name];
        var plugin = new VolumeBinding(null, Cluster([claim], [volume]));
        var state = new CycleState();
        var pod = PodWith("p", claim.Metadata.Name);
        Assert.Null(plugin.PreFilter(state, pod, []));
        Assert.Equal(fits, plugin.Filter(state, pod, Make.Node("n1")) is null);
        var elsewhere = plugin.Filter(state, pod, Make.Node("n2"));
        Assert.Equal((Code.UnschedulableAndUnresolvable, VolumeBinding.ErrReasonBindConflict), (elsewhere?.Code, elsewhere?.Message));
    }

    [Fact]
    public void Matcher_ChoosesTheSmallestFittingVolume()
    {
        var chosen = VolumeMatcher.FindMatchingVolume(Claim("c"), [Volume("big", size: "5Gi"), Volume("small", size: "2Gi"), Volume("tiny", size: "100Mi")], Make.Node("n1").Node, _ => false);
        Assert.Equal("small", chosen?.Metadata.Name);
    }

    [Fact]
    public void TwoClaimsOfAPod_NeedTwoVolumes()
    {
        var plugin = new VolumeBinding(null, Cluster([Claim("a"), Claim("b")], [Volume("pv1")]));
        var state = new CycleState();
        var pod = PodWith("p", "a", "b");
        Assert.Null(plugin.PreFilter(state, pod, []));
        Assert.Equal(VolumeBinding.ErrReasonBindConflict, plugin.Filter(state, pod, Make.Node("n1"))?.Message);
    }

    [Fact]
    public void ReservedVolume_IsNotOfferedToAnotherPod_UntilUnreserved()
    {
        var plugin = new VolumeBinding(null, Cluster([Claim("a"), Claim("b")], [Volume("pv1")]));
        var first = new CycleState();
        var podA = PodWith("pa", "a");
        Assert.Null(plugin.PreFilter(first, podA, []));
        Assert.Null(plugin.Filter(first, podA, Make.Node("n1")));
        Assert.Null(plugin.Reserve(first, podA, "n1"));
        Assert.Equal(1, plugin.AssumedCount);

        var second = new CycleState();
        var podB = PodWith("pb", "b");
        Assert.Null(plugin.PreFilter(second, podB, []));
        Assert.Equal(VolumeBinding.ErrReasonBindConflict, plugin.Filter(second, podB, Make.Node("n1"))?.Message);

        plugin.Unreserve(first, podA, "n1");
        Assert.Equal(0, plugin.AssumedCount);
        var third = new CycleState();
        Assert.Null(plugin.PreFilter(third, podB, []));
        Assert.Null(plugin.Filter(third, podB, Make.Node("n1")));
    }

    [Fact]
    public void BoundClaimToAMissingVolume_IsUnresolvableOnEveryNode()
    {
        var claim = Claim("c");
        claim.Spec.VolumeName = "gone";
        var plugin = new VolumeBinding(null, Cluster([claim], []));
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, PodWith("p", "c"), []));
        Assert.Equal(VolumeBinding.ErrReasonPVNotExist, plugin.Filter(state, PodWith("p", "c"), Make.Node("n1"))?.Message);
    }
}
