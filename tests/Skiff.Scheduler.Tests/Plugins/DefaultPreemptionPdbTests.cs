using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.DefaultPreemption;
using Skiff.Scheduler.Plugins.NodeResourcesFit;
using Skiff.Scheduler.Plugins.PrioritySort;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>DefaultPreemption with PodDisruptionBudgets (upstream's <c>filterPodsWithPDBViolation</c> and <c>pickOneNodeForPreemption</c>).</summary>
public sealed class DefaultPreemptionPdbTests
{
    private static V1PodDisruptionBudget Pdb(string app, int allowed, params string[] disrupted) => new()
    {
        Metadata = new V1ObjectMeta { Name = "pdb-" + app, NamespaceProperty = "default" },
        Spec = new V1PodDisruptionBudgetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } } },
        Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = allowed, DisruptedPods = disrupted.ToDictionary(d => d, _ => (DateTime?)DateTime.UtcNow) },
    };

    private static V1Pod Low(string name, string app, int priority = 1)
    {
        var p = Make.Pod(name, labels: new Dictionary<string, string> { ["app"] = app }, containers: ("1", "1Gi"));
        p.Spec.Priority = priority;
        return p;
    }

    // Upstream TestFilterPodsWithPDBViolation-style: one allowed disruption, two matching pods → the second violates.
    [Fact]
    public void Split_SpendsAllowedDisruptionsInOrder()
    {
        var (violating, nonViolating) = DefaultPreemption.SplitByPdbViolation([Low("a", "web"), Low("b", "web"), Low("c", "db")], [Pdb("web", 1)]);
        Assert.Equal(["b"], violating.Select(p => p.Metadata.Name));
        Assert.Equal(["a", "c"], nonViolating.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void Split_AlreadyDisruptedPodsAndOtherNamespaces_DoNotCount()
    {
        var other = Low("x", "web");
        other.Metadata.NamespaceProperty = "other";
        var (violating, _) = DefaultPreemption.SplitByPdbViolation([Low("a", "web"), other], [Pdb("web", 0, "a")]);
        Assert.Empty(violating);
    }

    [Fact]
    public async Task Preemption_PrefersTheNodeWhoseVictimsViolateNoBudget()
    {
        var cluster = new FakeCluster();
        cluster.Pdbs.Add(Pdb("guarded", 0));
        var preemption = new DefaultPreemption(null, cluster);
        var profile = new Profile(SchedulerOptions.DefaultSchedulerName, new PrioritySort(), [new NodeResourcesFit(ScoringStrategy.LeastAllocated, null), preemption]);

        // node-a sorts first and its victim has the lower priority, so without budgets it would win.
        var nodes = new[] { Make.Node("node-a", cpu: "1", pods: Low("guarded-0", "guarded", 1)), Make.Node("node-b", cpu: "1", pods: Low("free-0", "free", 5)) };
        var pod = Make.Pod("high", containers: ("1", "1Gi"));
        pod.Spec.Priority = 100;
        var state = new CycleState();
        var statuses = nodes.ToDictionary(n => n.Name, n => profile.RunFilter(state, pod, n)!);
        Assert.All(statuses.Values, s => Assert.Equal(Code.Unschedulable, s.Code));

        var (nominated, status) = await preemption.PostFilterAsync(state, pod, nodes, statuses, CancellationToken.None);
        Assert.Null(status);
        Assert.Equal("node-b", nominated);

        // Without the budget, the lowest highest-victim priority wins.
        cluster.Pdbs.Clear();
        (nominated, _) = await preemption.PostFilterAsync(state, pod, nodes, statuses, CancellationToken.None);
        Assert.Equal("node-a", nominated);
    }
}
