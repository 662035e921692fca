using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Tests.Testing;
using Xunit;
using Plugin = Skiff.Scheduler.Plugins.InterPodAffinity.InterPodAffinity;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>Cases of upstream's interpodaffinity <c>TestPreferredAffinity</c>, with its expected normalized scores.</summary>
public sealed class InterPodAffinityScoreTests
{
    private static readonly Dictionary<string, string> RgChina = new() { ["region"] = "China" };
    private static readonly Dictionary<string, string> RgIndia = new() { ["region"] = "India" };
    private static readonly Dictionary<string, string> AzAz1 = new() { ["az"] = "az1" };
    private static readonly Dictionary<string, string> AzAz2 = new() { ["az"] = "az2" };
    private static readonly Dictionary<string, string> RgChinaAzAz1 = new() { ["region"] = "China", ["az"] = "az1" };
    private static readonly Dictionary<string, string> S1 = new() { ["security"] = "S1" };
    private static readonly Dictionary<string, string> S2 = new() { ["security"] = "S2" };

    private static V1LabelSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    private static V1WeightedPodAffinityTerm Weighted(int weight, string topologyKey, params V1LabelSelectorRequirement[] reqs) =>
        new() { PodAffinityTerm = new V1PodAffinityTerm { LabelSelector = new V1LabelSelector { MatchExpressions = reqs }, TopologyKey = topologyKey }, Weight = weight };

    private static V1Affinity StayWithS1InRegion => new() { PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Weighted(5, "region", Req("security", "In", "S1"))] } };

    private static V1Affinity StayWithS2InRegion => new() { PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Weighted(6, "region", Req("security", "In", "S2"))] } };

    private static V1Affinity AwayFromS1InAz => new() { PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Weighted(5, "az", Req("security", "In", "S1"))] } };

    private static V1Affinity StayWithS1InRegionAwayFromS2InAz => new()
    {
        PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Weighted(8, "region", Req("security", "In", "S1"))] },
        PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Weighted(5, "az", Req("security", "In", "S2"))] },
    };

    private static V1Affinity NamespaceSelectorAffinity(bool anti)
    {
        var term = Weighted(5, "region", Req("security", "In", "S1"));
        term.PodAffinityTerm.Namespaces = ["subteam2.team2"];
        term.PodAffinityTerm.NamespaceSelector = new V1LabelSelector { MatchExpressions = [Req("team", "In", "team1")] };
        return anti
            ? new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [term] } }
            : new V1Affinity { PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [term] } };
    }

    private static V1Pod Pod(IDictionary<string, string>? labels, V1Affinity? affinity = null, string ns = "default")
    {
        var p = Make.Pod("p", ns, labels);
        p.Spec.Affinity = affinity;
        return p;
    }

    private static FakeCluster Teams()
    {
        var c = new FakeCluster();
        c.Namespaces["subteam1.team1"] = new Dictionary<string, string> { ["team"] = "team1" };
        c.Namespaces["subteam2.team1"] = new Dictionary<string, string> { ["team"] = "team1" };
        c.Namespaces["subteam1.team2"] = new Dictionary<string, string> { ["team"] = "team2" };
        c.Namespaces["subteam2.team2"] = new Dictionary<string, string> { ["team"] = "team2" };
        return c;
    }

    private static long[] Scores(V1Pod pod, params NodeInfo[] nodes) => Scores(new Plugin(), pod, nodes);

    private static long[] Scores(Plugin plugin, V1Pod pod, params NodeInfo[] nodes) => Make.Scores(plugin, pod, nodes);

    [Fact]
    public void NoAffinityAnywhere_Skips()
    {
        var status = new Plugin().PreScore(new CycleState(), Pod(S1), [Make.Node("node1", labels: RgChina), Make.Node("node2", labels: RgIndia)]);
        Assert.Equal(Code.Skip, status?.Code);
    }

    [Fact]
    public void Affinity_MatchingTopologyAndPods_GetsHighScore()
    {
        var scores = Scores(Pod(S1, StayWithS1InRegion),
            Make.Node("node1", labels: RgChina, pods: Pod(S1)),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2)),
            Make.Node("node3", labels: AzAz1, pods: Pod(S1)));
        Assert.Equal([100L, 0L, 0L], scores);
    }

    [Fact]
    public void Affinity_SameTopologyValue_SameScore()
    {
        var scores = Scores(Pod(null, StayWithS1InRegion),
            Make.Node("node1", labels: RgChina, pods: Pod(S1)),
            Make.Node("node2", labels: RgChinaAzAz1),
            Make.Node("node3", labels: RgIndia));
        Assert.Equal([100L, 100L, 0L], scores);
    }

    [Fact]
    public void Affinity_DifferentOperators_WeightsNormalized()
    {
        var affinity = new V1Affinity
        {
            PodAffinity = new V1PodAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    Weighted(8, "region", Req("security", "NotIn", "S1"), Req("security", "In", "S2")),
                    Weighted(2, "region", Req("security", "Exists"), Req("wrongkey", "DoesNotExist")),
                ],
            },
        };
        var scores = Scores(Pod(S1, affinity),
            Make.Node("node1", labels: RgChina, pods: Pod(S1)),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2)),
            Make.Node("node3", labels: AzAz1, pods: Pod(S1)));
        Assert.Equal([20L, 100L, 0L], scores);
    }

    [Fact]
    public void AffinitySymmetry_PreferredTermsOfExistingPods()
    {
        var scores = Scores(Pod(S2),
            Make.Node("node1", labels: RgChina, pods: Pod(S1, StayWithS1InRegion)),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2, StayWithS2InRegion)),
            Make.Node("node3", labels: AzAz1));
        Assert.Equal([0L, 100L, 0L], scores);
    }

    [Fact]
    public void AffinitySymmetry_RequiredTermsOfExistingPods_HardPodAffinityWeight()
    {
        var hard = new V1Affinity
        {
            PodAffinity = new V1PodAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm { LabelSelector = new V1LabelSelector { MatchExpressions = [Req("security", "In", "S1", "value2")] }, TopologyKey = "region" },
                    new V1PodAffinityTerm { LabelSelector = new V1LabelSelector { MatchExpressions = [Req("security", "Exists"), Req("wrongkey", "DoesNotExist")] }, TopologyKey = "region" },
                ],
            },
        };
        var scores = Scores(Pod(S1),
            Make.Node("node1", labels: RgChina, pods: Pod(S1, hard)),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2, hard)),
            Make.Node("node3", labels: AzAz1));
        Assert.Equal([100L, 100L, 0L], scores);
    }

    [Fact]
    public void AffinitySymmetry_WithNamespaceSelector()
    {
        var scores = Scores(new Plugin(Teams()), Pod(S1, ns: "subteam1.team1"),
            Make.Node("node1", labels: RgChina, pods: Pod(S1, NamespaceSelectorAffinity(anti: false), ns: "")),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2, StayWithS2InRegion, ns: "")),
            Make.Node("node3", labels: AzAz1));
        Assert.Equal([100L, 0L, 0L], scores);
    }

    [Fact]
    public void AntiAffinitySymmetry_WithNamespaceSelector()
    {
        var scores = Scores(new Plugin(Teams()), Pod(S1, ns: "subteam1.team1"),
            Make.Node("node1", labels: RgChina, pods: Pod(S1, NamespaceSelectorAffinity(anti: true), ns: "")),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2, StayWithS2InRegion, ns: "")),
            Make.Node("node3", labels: AzAz1));
        Assert.Equal([0L, 100L, 100L], scores);
    }

    [Fact]
    public void AntiAffinity_MoreMatchingPods_LowerScore()
    {
        var scores = Scores(Pod(S1, AwayFromS1InAz),
            Make.Node("node1", labels: AzAz1, pods: [Pod(S1), Pod(S1)]),
            Make.Node("node2", labels: RgIndia, pods: Pod(S2)));
        Assert.Equal([0L, 100L], scores);
    }

    [Fact]
    public void AffinityAntiAffinityAndSymmetry_Combined()
    {
        var scores = Scores(Pod(S1, StayWithS1InRegionAwayFromS2InAz),
            Make.Node("node1", labels: RgChina, pods: Pod(S1)),
            Make.Node("node2", labels: AzAz1, pods: Pod(S2)),
            Make.Node("node3", labels: RgIndia, pods: Pod(null, StayWithS1InRegionAwayFromS2InAz)),
            Make.Node("node4", labels: AzAz2, pods: Pod(null, AwayFromS1InAz)));
        Assert.Equal([100L, 0L, 100L, 0L], scores);
    }

    [Fact]
    public void PartialTopologyWithoutAffinityPods_AllZero()
    {
        var scores = Scores(Pod(S1),
            Make.Node("node1", labels: RgChina, pods: Pod(S1)),
            Make.Node("node2", labels: RgChina, pods: Pod(null, StayWithS1InRegionAwayFromS2InAz)));
        Assert.Equal([0L, 0L], scores);
    }

    // Upstream filtering_test "NamespaceSelector": an existing pod in a namespace the anti-affinity term selects by label.
    [Fact]
    public void Filter_RequiredAntiAffinity_NamespaceSelector()
    {
        var pod = Pod(S1, ns: "subteam1.team1");
        pod.Spec.Affinity = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm
                    {
                        LabelSelector = new V1LabelSelector { MatchExpressions = [Req("security", "In", "S1")] },
                        TopologyKey = "region",
                        NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "team2" } },
                    },
                ],
            },
        };
        var plugin = new Plugin(Teams());
        var inTeam2 = Make.Node("node1", labels: RgChina, pods: Pod(S1, ns: "subteam2.team2"));
        var inTeam1 = Make.Node("node2", labels: RgIndia, pods: Pod(S1, ns: "subteam2.team1"));
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [inTeam2, inTeam1]));
        Assert.Equal(Plugin.ErrReasonAntiAffinity, plugin.Filter(state, pod, inTeam2)?.Message);
        Assert.Null(plugin.Filter(state, pod, inTeam1));
    }
}
