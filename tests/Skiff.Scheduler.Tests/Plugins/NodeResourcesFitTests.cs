using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.NodeResourcesFit;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class NodeResourcesFitTests
{
    // Upstream pkg/scheduler/framework/plugins/noderesources: TestLeastAllocatedScoringStrategy and
    // TestMostAllocatedScoringStrategy, case "nothing scheduled, resources requested, differently sized nodes":
    // pod requests cpu 3000m (1000m + 2000m), memory 5000 (2000 + 3000); node1 4000m/10000, node2 6000m/10000.
    [Theory]
    [InlineData(ScoringStrategy.LeastAllocated, 37, 50)]
    [InlineData(ScoringStrategy.MostAllocated, 62, 50)]
    public void Score_DifferentlySizedNodes_MatchesUpstream(ScoringStrategy strategy, long node1, long node2)
    {
        var pod = Make.Pod("p", containers: [("1000m", "2000"), ("2000m", "3000")]);
        var scores = Make.Scores(new NodeResourcesFit(strategy), pod, Make.Node("node1", "4000m", "10000"), Make.Node("node2", "6000m", "10000"));
        Assert.Equal([node1, node2], scores);
    }

    // Upstream's formula with its non-zero defaults (100m, 200MB) for a pod that requests nothing, on 4000m/10000
    // nodes: cpu (4000-100)·100/4000 = 97, memory over capacity → 0; (97+0)/2 = 48.
    [Fact]
    public void Score_NothingRequested_UsesNonZeroDefaults()
    {
        var scores = Make.Scores(new NodeResourcesFit(), Make.Pod("p"), Make.Node("node1", "4000m", "10000"), Make.Node("node2", "4000m", "10000"));
        Assert.Equal([48L, 48L], scores);
    }

    [Fact]
    public void Score_RequestedToCapacityRatio_FollowsTheShape()
    {
        // Shape 0% → 0, 100% → 10 (a bin-packing shape): utilization 75% cpu, 50% memory → 75 and 50 → 62.
        var plugin = new NodeResourcesFit(ScoringStrategy.RequestedToCapacityRatio, [(0, 0), (100, 10)]);
        var pod = Make.Pod("p", containers: [("3000m", "5000")]);
        Assert.Equal([62L], Make.Scores(plugin, pod, Make.Node("node1", "4000m", "10000")));
    }

    // Upstream TestEnoughRequests: "too many resources fails" reports every insufficient resource.
    [Theory]
    [InlineData("1", "1Gi", null)]
    [InlineData("3", "1Gi", "Insufficient cpu")]
    [InlineData("1", "7Gi", "Insufficient memory")]
    [InlineData("3", "7Gi", "Insufficient cpu, Insufficient memory")]
    public void Filter_ReportsEachInsufficientResource(string cpu, string memory, string? expected)
    {
        var existing = Make.Pod("old", containers: [("2", "2Gi")]);
        var node = Make.Node("n", "4", "8Gi", pods: existing);
        var pod = Make.Pod("p", containers: [(cpu, memory)]);
        var plugin = new NodeResourcesFit();
        var state = new CycleState();
        plugin.PreFilter(state, pod, [node]);
        var status = plugin.Filter(state, pod, node);
        Assert.Equal(expected, status?.Message);
        if (status is not null)
        {
            Assert.Equal(Code.Unschedulable, status.Code);
        }
    }

    [Fact]
    public void PodRequests_TakeTheLargerOfInitContainersAndContainers_PlusOverhead()
    {
        var pod = Make.Pod("p", containers: [("500m", "100Mi"), ("500m", "100Mi")]);
        pod.Spec.InitContainers = [new k8s.Models.V1Container { Name = "init", Resources = new() { Requests = new Dictionary<string, k8s.Models.ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("50Mi") } } }];
        pod.Spec.Overhead = new Dictionary<string, k8s.Models.ResourceQuantity> { ["cpu"] = new("250m") };
        var r = Resource.PodRequests(pod);
        Assert.Equal((2250L, 200L * 1024 * 1024), (r.MilliCpu, r.Memory));
    }
}
