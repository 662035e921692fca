using k8s.Models;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>DefaultPreemption against a real API server: a higher-priority pod evicts lower-priority victims.</summary>
public sealed class PreemptionTests
{
    [Fact]
    public async Task HigherPriorityPod_PreemptsLowerPriorityPods_IsNominated_ThenBound()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("only", cpu: "2");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        for (var i = 0; i < 2; i++)
        {
            var low = SchedulerHarness.Pod($"low-{i}", "1");
            low.Spec.Priority = 1;
            await pods.CreateAsync(low);
        }

        await ListWatch.UntilAsync(pods, l => l.Count == 2 && l.All(p => p.Spec.NodeName == "only"));
        var high = SchedulerHarness.Pod("high", "1");
        high.Spec.Priority = 1000;
        await pods.CreateAsync(high);

        // Preemption deletes the victims (gracefully: they terminate until their kubelet confirms) and nominates the node.
        var preempted = await ListWatch.UntilAsync(pods, l =>
            l.Any(p => p.Metadata.Name == "high" && p.Status?.NominatedNodeName == "only")
            && l.Count(p => p.Metadata.Name.StartsWith("low-", StringComparison.Ordinal) && p.Metadata.DeletionTimestamp is not null) >= 1);
        var victims = preempted.Where(p => p.Metadata.DeletionTimestamp is not null).Select(p => p.Metadata.Name).ToList();
        Assert.Single(victims);

        // Play the kubelet: the victim has stopped.
        await pods.DeleteAsync(victims[0], new Skiff.Client.Options.DeleteOptions { GracePeriodSeconds = 0 });
        var final = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "high" && p.Spec.NodeName == "only"));
        Assert.Equal(2, final.Count);
    }

    [Fact]
    public async Task PreemptionPolicyNever_DoesNotPreempt()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("only", cpu: "1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        var low = SchedulerHarness.Pod("low", "1");
        low.Spec.Priority = 1;
        await pods.CreateAsync(low);
        await ListWatch.UntilAsync(pods, l => l.Single().Spec.NodeName == "only");
        var high = SchedulerHarness.Pod("high", "1");
        high.Spec.Priority = 1000;
        high.Spec.PreemptionPolicy = "Never";
        await pods.CreateAsync(high);

        const string Expected = "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.";
        await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "high" && p.Status?.Conditions?.Any(c => c.Message == Expected) == true));
        Assert.Equal("only", (await pods.GetAsync("low")).Spec.NodeName);
    }
}
