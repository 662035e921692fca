using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.NodeAffinity;
using Skiff.Scheduler.Plugins.NodeResourcesBalancedAllocation;
using Skiff.Scheduler.Plugins.TaintToleration;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class ScorePluginTests
{
    // Upstream noderesources TestNodeResourcesBalancedAllocation, "nothing scheduled, resources requested, differently
    // sized nodes": fractions 0.75/0.5 → std 0.125 → 87; 0.5/0.5 → 100.
    [Fact]
    public void BalancedAllocation_DifferentlySizedNodes_MatchesUpstream()
    {
        var pod = Make.Pod("p", containers: [("1000m", "2000"), ("2000m", "3000")]);
        var scores = Make.Scores(new NodeResourcesBalancedAllocation(), pod, Make.Node("node1", "4000m", "10000"), Make.Node("node2", "6000m", "10000"));
        Assert.Equal([87L, 100L], scores);
    }

    [Fact]
    public void BalancedAllocation_SkipsBestEffortPods()
    {
        var plugin = new NodeResourcesBalancedAllocation();
        Assert.Equal(Framework.Code.Skip, plugin.PreScore(new Framework.CycleState(), Make.Pod("p"), [])?.Code);
    }

    // Upstream tainttoleration TestTaintTolerationScore, "the more intolerable taints a node has, the lower score it gets."
    [Fact]
    public void TaintToleration_MoreIntolerableTaints_LowerScore()
    {
        var pod = Make.Pod("p");
        pod.Spec.Tolerations = [new V1Toleration { Key = "foo", OperatorProperty = "Equal", Value = "bar", Effect = "PreferNoSchedule" }];
        V1Taint Taint(string k, string v) => new() { Key = k, Value = v, Effect = "PreferNoSchedule" };
        var scores = Make.Scores(new TaintToleration(), pod,
            Make.Node("nodeA"),
            Make.Node("nodeB", taints: [Taint("cpu-type", "arm64")]),
            Make.Node("nodeC", taints: [Taint("cpu-type", "arm64"), Taint("disk-type", "ssd")]));
        Assert.Equal([100L, 50L, 0L], scores);
    }

    // Upstream nodeaffinity TestNodeAffinityPriority, "all nodes matches the preferred scheduling requirements of pod but
    // with different priorities": raw 2, 4 and 11 normalize to 18, 36 and 100.
    [Fact]
    public void NodeAffinity_PreferredTerms_WeightsNormalized()
    {
        static V1NodeSelectorRequirement In(string k, string v) => new() { Key = k, OperatorProperty = "In", Values = [v] };
        var pod = Make.Pod("p");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PreferredSchedulingTerm { Weight = 2, Preference = new V1NodeSelectorTerm { MatchExpressions = [In("foo", "bar")] } },
                    new V1PreferredSchedulingTerm { Weight = 4, Preference = new V1NodeSelectorTerm { MatchExpressions = [In("key", "value")] } },
                    new V1PreferredSchedulingTerm { Weight = 5, Preference = new V1NodeSelectorTerm { MatchExpressions = [In("foo", "bar"), In("key", "value"), In("az", "az1")] } },
                ],
            },
        };
        var scores = Make.Scores(new NodeAffinity(), pod,
            Make.Node("node1", labels: new Dictionary<string, string> { ["foo"] = "bar" }),
            Make.Node("node2", labels: new Dictionary<string, string> { ["key"] = "value" }),
            Make.Node("node5", labels: new Dictionary<string, string> { ["foo"] = "bar", ["key"] = "value", ["az"] = "az1" }));
        Assert.Equal([18L, 36L, 100L], scores);
    }

    // Upstream nodeaffinity PreScore: Skip for a pod without preferred terms (Score never runs per node).
    [Fact]
    public void NodeAffinity_NoPreferredTerms_PreScoreSkips()
    {
        var plain = Make.Pod("p");
        Assert.Equal(Code.Skip, new NodeAffinity().PreScore(new CycleState(), plain, [])?.Code);
        var preferring = Make.Pod("q");
        preferring.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution = [new V1PreferredSchedulingTerm { Weight = 1, Preference = new V1NodeSelectorTerm() }],
            },
        };
        Assert.Null(new NodeAffinity().PreScore(new CycleState(), preferring, []));
    }
}
