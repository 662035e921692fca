using k8s.Models;
using Skiff.Scheduler.Plugins.NodeAffinity;
using Skiff.Scheduler.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>
/// Filtering and scoring over a cluster large enough for upstream's parallelism (200 nodes; the adaptive percentage
/// checks all of them): the few fitting nodes are found wherever they sit, and a pod that fits nowhere gets every node
/// counted once in its message, as with sequential filtering.
/// </summary>
public sealed class ParallelFilterTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(1)]
    public async Task ManyNodes_FewFit_TheFittingOnesAreFound_AndEveryNodeIsCountedOnce(int parallelism)
    {
        await using var h = await SchedulerHarness.StartAsync(o => o with { Parallelism = parallelism });
        const int Nodes = 200;
        var fitting = new[] { "node-7", "node-101", "node-199" };
        await Task.WhenAll(Enumerable.Range(0, Nodes).Select(i => h.NodeAsync($"node-{i}",
            labels: fitting.Contains($"node-{i}") ? new Dictionary<string, string> { ["disk"] = "ssd" } : null)));
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Nodes(), l => l.Count >= Nodes);
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        for (var i = 0; i < 6; i++)
        {
            var pod = SchedulerHarness.Pod($"p{i}");
            pod.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
            await pods.CreateAsync(pod);
        }

        var nowhere = SchedulerHarness.Pod("nowhere");
        nowhere.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "nvme" };
        await pods.CreateAsync(nowhere);

        var bound = await ListWatch.UntilAsync(pods, l => l.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName)) == 6, TimeSpan.FromSeconds(60));
        Assert.All(bound.Where(p => p.Metadata.Name != "nowhere"), p => Assert.Contains(p.Spec.NodeName, fitting));
        var expected = $"0/{Nodes} nodes are available: {Nodes} {NodeAffinity.ErrReasonPod}.";
        var pending = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "nowhere" && p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable") == true), TimeSpan.FromSeconds(60));
        Assert.StartsWith(expected, pending.Single(p => p.Metadata.Name == "nowhere").Status.Conditions.Single(c => c.Type == "PodScheduled").Message, StringComparison.Ordinal);
    }
}
