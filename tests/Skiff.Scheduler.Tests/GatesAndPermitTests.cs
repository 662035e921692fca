using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>Scheduling gates (PreEnqueue) and Permit/WaitOnPermit against a real in-process API server.</summary>
public sealed class GatesAndPermitTests
{
    [Fact]
    public async Task GatedPod_WaitsWithSchedulingGatedCondition_ThenIsBoundOnceTheGatesAreRemoved()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("n1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        var pod = SchedulerHarness.Pod("gated");
        pod.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "example.com/wait" }];
        await pods.CreateAsync(pod);

        var gated = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "SchedulingGated" }) == true));
        Assert.Equal(Scheduler.SchedulingGatedMessage, gated[0].Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        Assert.True(string.IsNullOrEmpty(gated[0].Spec.NodeName));
        Assert.True(h.Scheduler.Scheduler.Queue.IsGated($"{ns}/gated"));
        Assert.Equal(1, h.Scheduler.Scheduler.Queue.GatedCount);

        var status = await new Kubectl(h.KubeconfigPath).OkAsync("get", "pod", "gated", "-n", ns, "--no-headers");
        Assert.Contains("SchedulingGated", status, StringComparison.Ordinal);

        await pods.PatchAsync("gated", PatchType.Merge, new Dictionary<string, object?> { ["spec"] = new Dictionary<string, object?> { ["schedulingGates"] = null } });
        var bound = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Spec.NodeName == "n1"));
        Assert.Contains(bound[0].Status.Conditions, c => c is { Type: "PodScheduled", Status: "True" });
        Assert.Equal(0, h.Scheduler.Scheduler.Queue.GatedCount);
    }

    [Fact]
    public async Task Permit_Wait_HoldsBindingUntilAllowed()
    {
        var plugin = new WaitPermit(TimeSpan.FromMinutes(1));
        await using var h = await StartWithPermitAsync(plugin);
        await h.NodeAsync("n1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        var waitingTcs = new TaskCompletionSource<WaitingPod>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Scheduler.Scheduler.Profiles[SchedulerOptions.DefaultSchedulerName].WaitingPods.Added += wp => waitingTcs.TrySetResult(wp);
        await pods.CreateAsync(SchedulerHarness.Pod("held"));

        var waiting = await waitingTcs.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("n1", waiting.NodeName);
        Assert.Equal([WaitPermit.PluginName], waiting.PendingPlugins);
        Assert.True(h.Scheduler.Scheduler.Cache.IsAssumed(waiting.Pod.Metadata.Uid));
        Assert.True(string.IsNullOrEmpty((await pods.GetAsync("held")).Spec.NodeName));

        waiting.Allow(WaitPermit.PluginName);
        var bound = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Spec.NodeName == "n1"));
        Assert.Single(bound);
        Assert.Null(h.Scheduler.Scheduler.Profiles[SchedulerOptions.DefaultSchedulerName].WaitingPods.Get(waiting.Pod.Metadata.Uid));
    }

    [Fact]
    public async Task Permit_Reject_FailsThePodWithThePluginsMessage()
    {
        var plugin = new WaitPermit(TimeSpan.FromMinutes(1));
        await using var h = await StartWithPermitAsync(plugin);
        await h.NodeAsync("n1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        h.Scheduler.Scheduler.Profiles[SchedulerOptions.DefaultSchedulerName].WaitingPods.Added += wp => wp.Reject(WaitPermit.PluginName, "not today");
        await pods.CreateAsync(SchedulerHarness.Pod("rejected"));

        var failed = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable", Message: "not today" }) == true));
        Assert.True(string.IsNullOrEmpty(failed[0].Spec.NodeName));
        Assert.False(h.Scheduler.Scheduler.Cache.IsAssumed(failed[0].Metadata.Uid));
    }

    [Fact]
    public async Task Permit_WaitTimesOut_WithUpstreamsMessage()
    {
        await using var h = await StartWithPermitAsync(new WaitPermit(TimeSpan.FromSeconds(1)));
        await h.NodeAsync("n1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        await pods.CreateAsync(SchedulerHarness.Pod("slow"));

        const string Expected = "rejected due to timeout after waiting 1s at plugin " + WaitPermit.PluginName;
        var failed = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable", Message: Expected }) == true));
        Assert.True(string.IsNullOrEmpty(failed[0].Spec.NodeName));
    }

    private static Task<SchedulerHarness> StartWithPermitAsync(WaitPermit plugin) =>
        SchedulerHarness.StartAsync(o => o with
        {
            OutOfTreePlugins = new Dictionary<string, Func<IPlugin>> { [WaitPermit.PluginName] = () => plugin },
            Profiles = [new ProfileConfig { Enabled = [WaitPermit.PluginName] }],
        });

    /// <summary>A Permit plugin that makes every pod wait up to <paramref name="timeout"/>.</summary>
    private sealed class WaitPermit(TimeSpan timeout) : IPermitPlugin
    {
        public const string PluginName = "TestWaitPermit";

        public string Name => PluginName;

        public (Status? Status, TimeSpan Timeout) Permit(CycleState state, V1Pod pod, string nodeName) => (new Status(Code.Wait), timeout);
    }
}
