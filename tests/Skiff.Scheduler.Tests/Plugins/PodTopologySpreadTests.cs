using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Tests.Testing;
using Xunit;
using Plugin = Skiff.Scheduler.Plugins.PodTopologySpread.PodTopologySpread;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>Cases of upstream's podtopologyspread <c>TestPodTopologySpreadScore</c> (expected scores from there) and filter cases.</summary>
public sealed class PodTopologySpreadTests
{
    private const string Hostname = "kubernetes.io/hostname";
    private static readonly V1LabelSelector FooExists = new() { MatchExpressions = [new V1LabelSelectorRequirement { Key = "foo", OperatorProperty = "Exists" }] };

    private static Dictionary<string, string> Foo => new() { ["foo"] = "" };

    private static V1Pod Incoming(params (int MaxSkew, string Key, string When)[] constraints)
    {
        var p = Make.Pod("p", labels: Foo);
        p.Spec.TopologySpreadConstraints = [.. constraints.Select(c => new V1TopologySpreadConstraint { MaxSkew = c.MaxSkew, TopologyKey = c.Key, WhenUnsatisfiable = c.When, LabelSelector = FooExists })];
        return p;
    }

    private static V1Pod[] FooPods(int n) => [.. Enumerable.Range(0, n).Select(i => Make.Pod($"e{i}", labels: Foo))];

    private static NodeInfo Host(string name, int fooPods, string? zone = null)
    {
        var labels = new Dictionary<string, string> { [Hostname] = name };
        if (zone is not null)
        {
            labels["zone"] = zone;
        }

        return Make.Node(name, labels: labels, pods: FooPods(fooPods));
    }

    /// <summary>Scores <paramref name="candidates"/>, with <paramref name="failed"/> also in the snapshot (upstream's failedNodes).</summary>
    private static long[] Scores(Plugin plugin, V1Pod pod, NodeInfo[] candidates, params NodeInfo[] failed)
    {
        var state = new CycleState { AllNodes = [.. candidates, .. failed] };
        Assert.Null(plugin.PreScore(state, pod, candidates));
        var scores = candidates.Select(n => plugin.Score(state, pod, n)).ToArray();
        plugin.NormalizeScore(state, pod, scores);
        return scores;
    }

    [Fact]
    public void Score_OneConstraintOnNode_AllFourCandidates()
    {
        var scores = Scores(new Plugin(), Incoming((1, Hostname, "ScheduleAnyway")), [Host("node-a", 2), Host("node-b", 1), Host("node-c", 0), Host("node-d", 3)]);
        Assert.Equal([20L, 60L, 100L, 0L], scores);
    }

    [Fact]
    public void Score_OneConstraintOnNode_MaxSkew2()
    {
        var scores = Scores(new Plugin(), Incoming((2, Hostname, "ScheduleAnyway")), [Host("node-a", 2), Host("node-b", 1), Host("node-c", 0), Host("node-d", 3)]);
        Assert.Equal([33L, 66L, 100L, 16L], scores);
    }

    [Fact]
    public void Score_SystemDefaulting_NodesWithoutZone_PodsMatchService()
    {
        var cluster = new FakeCluster();
        cluster.ServiceList.Add(new V1Service { Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = "default" }, Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["foo"] = "" } } });
        var scores = Scores(new Plugin(cluster), Make.Pod("p", labels: Foo), [Host("node-a", 4), Host("node-b", 3), Host("node-c", 2), Host("node-d", 1)]);
        Assert.Equal([44L, 66L, 77L, 100L], scores);
    }

    [Fact]
    public void Score_SystemDefaulting_NoOwnerNoService_Skips()
    {
        var state = new CycleState();
        Assert.Equal(Code.Skip, new Plugin().PreScore(state, Make.Pod("p", labels: Foo), [Host("node-a", 1)])?.Code);
        Assert.Equal(Code.Skip, new Plugin().PreFilter(state, Make.Pod("p", labels: Foo), [Host("node-a", 1)])?.Code);
    }

    [Fact]
    public void Score_ThreeOfFourCandidates()
    {
        var scores = Scores(new Plugin(), Incoming((1, Hostname, "ScheduleAnyway")), [Host("node-a", 4), Host("node-b", 2), Host("node-x", 1)], Host("node-y", 3));
        Assert.Equal([33L, 83L, 100L], scores);
    }

    [Fact]
    public void Score_CandidateWithoutTopologyKey_IsIgnored()
    {
        var nodeB = Make.Node("node-b", labels: new Dictionary<string, string> { ["n"] = "node-b" }, pods: FooPods(2));
        var scores = Scores(new Plugin(), Incoming((1, Hostname, "ScheduleAnyway")), [Host("node-a", 4), nodeB, Host("node-x", 1)], Host("node-y", 3));
        Assert.Equal([16L, 0L, 100L], scores);
    }

    [Fact]
    public void Score_OneConstraintOnZone_ThreeOfFourCandidates()
    {
        var scores = Scores(new Plugin(), Incoming((1, "zone", "ScheduleAnyway")),
            [Host("node-a", 4, "zone1"), Host("node-b", 2, "zone1"), Host("node-x", 1, "zone2")], Host("node-y", 3, "zone2"));
        Assert.Equal([75L, 75L, 100L], scores);
    }

    [Fact]
    public void Score_TwoConstraintsOnOneKey_CountTheirOwnSelectors()
    {
        // Upstream keeps one TopologyValueToPodCounts per constraint: two zone constraints with different selectors
        // count their own pods (zone1: 2 foo, 0 bar; zone2: 0 foo, 1 bar), weight log(4) each. node-a scores
        // round(2·1.386) = 3, node-b round(1·1.386) = 1, normalized 100·(3+1−3)/3 = 33 and 100. Counting both selectors'
        // pods into one counter per (key, value) gives 6 and 3, normalized 50 and 100.
        var bar = new Dictionary<string, string> { ["bar"] = "" };
        var pod = Make.Pod("p", labels: new Dictionary<string, string> { ["foo"] = "", ["bar"] = "" });
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "zone", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = FooExists },
            new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "zone", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "bar", OperatorProperty = "Exists" }] } },
        ];
        var nodeA = Make.Node("node-a", labels: new Dictionary<string, string> { [Hostname] = "node-a", ["zone"] = "zone1" }, pods: FooPods(2));
        var nodeB = Make.Node("node-b", labels: new Dictionary<string, string> { [Hostname] = "node-b", ["zone"] = "zone2" }, pods: [Make.Pod("b0", labels: bar)]);
        Assert.Equal([33L, 100L], Scores(new Plugin(), pod, [nodeA, nodeB]));
    }

    [Fact]
    public void Filter_MaxSkewOnHostname()
    {
        var plugin = new Plugin();
        var pod = Incoming((1, Hostname, "DoNotSchedule"));
        var a = Host("node-a", 1);
        var b = Host("node-b", 0);
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, b]));
        Assert.Equal(Plugin.ErrReasonConstraintsNotMatch, plugin.Filter(state, pod, a)?.Message);
        Assert.Null(plugin.Filter(state, pod, b));
    }

    [Fact]
    public void Filter_MinDomainsAboveDomainCount_GlobalMinimumIsZero()
    {
        var plugin = new Plugin();
        var pod = Incoming((1, Hostname, "DoNotSchedule"));
        pod.Spec.TopologySpreadConstraints[0].MinDomains = 3;
        var a = Host("node-a", 1);
        var b = Host("node-b", 1);
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, b]));
        Assert.Equal(Code.Unschedulable, plugin.Filter(state, pod, a)?.Code);
        Assert.Equal(Code.Unschedulable, plugin.Filter(state, pod, b)?.Code);

        pod.Spec.TopologySpreadConstraints[0].MinDomains = 2;
        state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, b]));
        Assert.Null(plugin.Filter(state, pod, a));
    }

    [Fact]
    public void Filter_NodeWithoutTopologyKey_Unresolvable()
    {
        var plugin = new Plugin();
        var pod = Incoming((1, "zone", "DoNotSchedule"));
        var a = Host("node-a", 0, "zone1");
        var bare = Host("node-b", 0);
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, bare]));
        var s = plugin.Filter(state, pod, bare);
        Assert.Equal(Code.UnschedulableAndUnresolvable, s?.Code);
        Assert.Equal(Plugin.ErrReasonNodeLabelNotMatch, s?.Message);
    }

    [Fact]
    public void Filter_NodeAffinityPolicyHonor_ExcludesNonMatchingDomains()
    {
        var plugin = new Plugin();
        var pod = Incoming((1, "zone", "DoNotSchedule"));
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["zone"] = "zone1" };
        var a = Host("node-a", 1, "zone1");
        var b = Host("node-b", 0, "zone2");
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, b]));

        // zone2 does not count (nodeSelector), so zone1 is the only domain and its minimum is its own count.
        Assert.Null(plugin.Filter(state, pod, a));

        pod.Spec.TopologySpreadConstraints[0].NodeAffinityPolicy = "Ignore";
        state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, b]));
        Assert.Equal(Code.Unschedulable, plugin.Filter(state, pod, a)?.Code);
    }

    [Fact]
    public void Filter_MatchLabelKeys_NarrowTheSelector()
    {
        var plugin = new Plugin();
        var pod = Incoming((1, Hostname, "DoNotSchedule"));
        pod.Metadata.Labels["rev"] = "2";
        pod.Spec.TopologySpreadConstraints[0].MatchLabelKeys = ["rev"];
        var a = Host("node-a", 1);
        var b = Host("node-b", 0);
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, [a, b]));

        // node-a's pod lacks rev=2, so it does not count.
        Assert.Null(plugin.Filter(state, pod, a));
    }
}
