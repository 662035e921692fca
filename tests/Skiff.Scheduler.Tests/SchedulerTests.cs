using k8s.Models;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>The scheduler against a real in-process API server: tests create Nodes and observe bindings through watches.</summary>
public sealed class SchedulerTests
{
    [Fact]
    public async Task Pods_AreBound_WithScheduledEvents_AndKubectlShowsTheNode()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("n1");
        await h.NodeAsync("n2");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        for (var i = 0; i < 4; i++)
        {
            await pods.CreateAsync(SchedulerHarness.Pod($"p{i}", "100m"));
        }

        var bound = await ListWatch.UntilAsync(pods, l => l.Count == 4 && l.All(p => !string.IsNullOrEmpty(p.Spec.NodeName)));
        Assert.All(bound, p => Assert.Contains(p.Spec.NodeName, new[] { "n1", "n2" }));
        Assert.All(bound, p => Assert.Contains(p.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True"));

        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Count(e => e.Reason == "Scheduled") == 4);
        var e0 = events.First(e => e.Reason == "Scheduled" && e.InvolvedObject.Name == "p0");
        var p0 = bound.Single(p => p.Metadata.Name == "p0");
        Assert.Equal($"Successfully assigned {ns}/p0 to {p0.Spec.NodeName}", e0.Message);
        Assert.Equal(("Normal", "default-scheduler"), (e0.Type, e0.Source.Component));

        var wide = await new Kubectl(h.KubeconfigPath).OkAsync("get", "pods", "-n", ns, "-o", "wide", "--no-headers");
        var lines = wide.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"\sn[12]\s", l));
    }

    [Fact]
    public async Task RequiredAntiAffinity_20PodsOver5Nodes_5Bound_15PendingWithUpstreamMessage()
    {
        await using var h = await SchedulerHarness.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await h.NodeAsync($"node-{i}");
        }

        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        for (var i = 0; i < 20; i++)
        {
            var pod = SchedulerHarness.Pod($"web-{i}", labels: new Dictionary<string, string> { ["app"] = "web" });
            pod.Spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                        },
                    ],
                },
            };
            await pods.CreateAsync(pod);
        }

        const string Expected = "0/5 nodes are available: 5 node(s) didn't match pod anti-affinity rules. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.";
        var final = await ListWatch.UntilAsync(pods, l =>
            l.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName)) == 5
            && l.Count(p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable" } && c.Message == Expected) == true) == 15);
        Assert.Equal(5, final.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).Select(p => p.Spec.NodeName).Distinct().Count());

        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns),
            l => l.Where(e => e.Reason == "FailedScheduling").Select(e => e.InvolvedObject.Name).Distinct().Count() == 15);
        Assert.All(events.Where(e => e.Reason == "FailedScheduling"), e => Assert.Equal(("Warning", Expected), (e.Type, e.Message)));
    }

    [Fact]
    public async Task Taints_KeepPodsOff_UnlessTolerated()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("tainted", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]);
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        await pods.CreateAsync(SchedulerHarness.Pod("plain"));
        var tolerant = SchedulerHarness.Pod("tolerant");
        tolerant.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = "NoSchedule" }];
        await pods.CreateAsync(tolerant);

        const string Expected = "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
        var list = await ListWatch.UntilAsync(pods, l =>
            l.Any(p => p.Metadata.Name == "tolerant" && p.Spec.NodeName == "tainted")
            && l.Any(p => p.Metadata.Name == "plain" && p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Message == Expected) == true));
        Assert.Null(list.Single(p => p.Metadata.Name == "plain").Spec.NodeName);
    }

    [Fact]
    public async Task NodeSelector_PicksTheMatchingNode()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("ssd", labels: new Dictionary<string, string> { ["disk"] = "ssd" });
        await h.NodeAsync("hdd", labels: new Dictionary<string, string> { ["disk"] = "hdd" });
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        for (var i = 0; i < 3; i++)
        {
            var pod = SchedulerHarness.Pod($"p{i}");
            pod.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
            await pods.CreateAsync(pod);
        }

        var bound = await ListWatch.UntilAsync(pods, l => l.Count == 3 && l.All(p => !string.IsNullOrEmpty(p.Spec.NodeName)));
        Assert.All(bound, p => Assert.Equal("ssd", p.Spec.NodeName));
    }

    [Fact]
    public async Task UnschedulablePod_IsScheduled_AsSoonAsAFittingNodeJoins()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("small", cpu: "1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        await pods.CreateAsync(SchedulerHarness.Pod("big", "3"));
        const string Expected = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
        await ListWatch.UntilAsync(pods, l => l.Single().Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Reason: "Unschedulable" } && c.Message == Expected) == true);
        Assert.Equal((0, 0, 1), h.Scheduler.Scheduler.Queue.Counts);

        await h.NodeAsync("large", cpu: "8");
        var bound = await ListWatch.UntilAsync(pods, l => !string.IsNullOrEmpty(l.Single().Spec.NodeName), TimeSpan.FromSeconds(20));
        Assert.Equal("large", bound.Single().Spec.NodeName);
    }

    [Fact]
    public async Task OtherSchedulerName_IsLeftAlone_ButDefaultProfilePodsBind()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("n1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        var other = SchedulerHarness.Pod("other");
        other.Spec.SchedulerName = "my-scheduler";
        await pods.CreateAsync(other);
        await pods.CreateAsync(SchedulerHarness.Pod("mine"));
        await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "mine" && p.Spec.NodeName == "n1"));
        var o = await pods.GetAsync("other");
        Assert.Null(o.Spec.NodeName);
        Assert.Null(o.Status?.Conditions);
    }
}
