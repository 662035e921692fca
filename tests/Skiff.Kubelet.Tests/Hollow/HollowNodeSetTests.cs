using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Kubelet.Hollow;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Hollow;

public sealed class HollowNodeSetTests
{
    private static HollowNodeOptions Options(int count = 2, string prefix = "hollow-") => new()
    {
        Count = count,
        NamePrefix = prefix,
        CrashLoopBackOff = TimeSpan.FromMilliseconds(300),
        MaxCrashLoopBackOff = TimeSpan.FromSeconds(1),
        Taints = [new V1Taint { Key = "example.com/dedicated", Value = "x", Effect = "PreferNoSchedule" }],
    };

    [Fact]
    public async Task Nodes_Register_WithCapacityLabelsTaintsCidrAndReadyStatus_AndLeases()
    {
        await using var h = await HollowHarness.StartAsync(Options(3));
        var nodes = (await h.Clientset.CoreV1().Nodes().ListAsync()).Items.OrderBy(n => n.Metadata.Name).ToList();
        Assert.Equal(["hollow-0", "hollow-1", "hollow-2"], nodes.Select(n => n.Metadata.Name));
        var n1 = nodes[1];
        Assert.Equal("hollow-1", n1.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", n1.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("hollow", n1.Metadata.Labels["node.kubernetes.io/instance-type"]);
        Assert.Equal("10.64.1.0/24", n1.Spec.PodCIDR);
        Assert.Equal("example.com/dedicated", n1.Spec.Taints.Single().Key);
        Assert.Equal("4", n1.Status.Capacity["cpu"].ToString());
        Assert.Equal("110", n1.Status.Allocatable["pods"].ToString());
        Assert.Equal("KubeletReady", n1.Status.Conditions.Single(c => c.Type == "Ready").Reason);
        Assert.Equal("172.16.0.3", n1.Status.Addresses.Single(a => a.Type == "InternalIP").Address);
        Assert.Equal("v1.32.0", n1.Status.NodeInfo.KubeletVersion);
        Assert.Equal(10250, n1.Status.DaemonEndpoints.KubeletEndpoint.Port);

        var lease = await h.Clientset.CoordinationV1().Leases("kube-node-lease").GetAsync("hollow-1");
        Assert.Equal("hollow-1", lease.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(n1.Metadata.Uid, lease.Metadata.OwnerReferences.Single().Uid);
    }

    [Fact]
    public async Task Leases_AreRenewedEveryInterval_OnTheFakeClock_ExceptAStoppedNode()
    {
        var start = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(start);
        await using var h = await HollowHarness.StartAsync(Options(3) with { TimeProvider = time });
        h.Nodes.StopHeartbeat("hollow-0");
        var leases = h.Clientset.CoordinationV1().Leases("kube-node-lease");
        var before = await leases.GetAsync("hollow-0");

        time.Advance(TimeSpan.FromSeconds(10));
        var renewed = start.AddSeconds(10).UtcDateTime;
        await ListWatch.UntilAsync(leases, ls => ls.Count(l => l.Metadata.Name != "hollow-0" && l.Spec.RenewTime >= renewed.AddMilliseconds(-1)) == 2);

        // The loop's next timer is armed as soon as the first fires: a second advance renews again.
        time.Advance(TimeSpan.FromSeconds(10));
        var again = start.AddSeconds(20).UtcDateTime;
        await ListWatch.UntilAsync(leases, ls => ls.Count(l => l.Metadata.Name != "hollow-0" && l.Spec.RenewTime >= again.AddMilliseconds(-1)) == 2);

        var stopped = await leases.GetAsync("hollow-0");
        Assert.Equal(before.Spec.RenewTime, stopped.Spec.RenewTime);
        Assert.Equal(before.Metadata.ResourceVersion, stopped.Metadata.ResourceVersion);
        Assert.True(h.Nodes.LeaseRenewals >= 4);
    }

    [Fact]
    public async Task NodeStatus_IsPostedEveryReportFrequency_HeartbeatMovesTransitionStays()
    {
        var start = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(start);
        await using var h = await HollowHarness.StartAsync(Options(2) with { TimeProvider = time, NodeStatusReportFrequency = TimeSpan.FromSeconds(10) });
        var before = await h.Clientset.CoreV1().Nodes().GetAsync("hollow-1");
        var transition = before.Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime;

        time.Advance(TimeSpan.FromSeconds(10));
        var after = start.AddSeconds(10).UtcDateTime;
        var beat = new DateTime(after.Ticks - (after.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc); // RFC 3339: whole seconds
        var nodes = await ListWatch.UntilAsync(h.Clientset.CoreV1().Nodes(), ns => ns.Count(n =>
            n.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime >= beat) == 2);
        var ready = nodes.Single(n => n.Metadata.Name == "hollow-1").Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("True", ready.Status);
        Assert.Equal(transition, ready.LastTransitionTime);
        Assert.Equal(2, h.Nodes.NodeStatusPosts);
    }

    [Fact]
    public async Task StopHeartbeatAnnotation_SilencesTheNode()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var node = h.Nodes.Find("hollow-0")!;
        Assert.False(node.Silent);
        h.Nodes.OnNode(new V1Node { Metadata = new V1ObjectMeta { Name = "hollow-0", Annotations = new Dictionary<string, string> { [HollowNodeSet.StopHeartbeatAnnotation] = "true" } } });
        Assert.True(node.Silent);
        h.Nodes.OnNode(new V1Node { Metadata = new V1ObjectMeta { Name = "hollow-0" } });
        Assert.False(node.Silent);
    }

    [Fact]
    public async Task Pod_BoundToAHollowNode_BecomesRunningAndReady_WithAnIpFromTheNodeCidr()
    {
        await using var h = await HollowHarness.StartAsync(Options());
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "web", "hollow-1");
        var pod = await h.UntilPodAsync(ns, "web", p => p.Status?.Phase == "Running" && Ready(p) == "True");
        Assert.StartsWith("10.64.1.", pod.Status.PodIP, StringComparison.Ordinal);
        Assert.Equal(pod.Status.PodIP, pod.Status.PodIPs.Single().Ip);
        Assert.Equal("172.16.0.3", pod.Status.HostIP);
        Assert.Equal("172.16.0.3", pod.Status.HostIPs.Single().Ip);
        Assert.NotNull(pod.Status.StartTime);
        Assert.Equal("BestEffort", pod.Status.QosClass);
        var c = pod.Status.ContainerStatuses.Single();
        Assert.True(c.Ready);
        Assert.True(c.Started);
        Assert.NotNull(c.State.Running.StartedAt);
        Assert.Equal(0, c.RestartCount);
        foreach (var type in new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers" })
        {
            Assert.Equal("True", pod.Status.Conditions.Single(x => x.Type == type).Status);
        }
    }

    [Fact]
    public async Task TwoPodsOnANode_GetDistinctIps_AndAPodOnAnotherNodeIsIgnored()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "a", "hollow-0");
        await h.CreatePodAsync(ns, "b", "hollow-0");
        await h.CreatePodAsync(ns, "elsewhere", "real-node");
        var a = await h.UntilPodAsync(ns, "a", p => p.Status?.Phase == "Running");
        var b = await h.UntilPodAsync(ns, "b", p => p.Status?.Phase == "Running");
        Assert.NotEqual(a.Status.PodIP, b.Status.PodIP);
        var other = await h.Clientset.CoreV1().Pods(ns).GetAsync("elsewhere");
        Assert.Null(other.Status?.Phase is "Running" ? other.Status.Phase : null);
        Assert.Equal(2, h.Nodes.PodCount);
    }

    [Fact]
    public async Task Delete_WaitsForTheContainersToStop_WithinTheGracePeriod_ThenRemovesWithGraceZero()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "slow", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.ShutdownDelayKey] = "2s" });
        await h.UntilPodAsync(ns, "slow", p => p.Status?.Phase == "Running");
        var deleted = DateTimeOffset.UtcNow;
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("slow", new DeleteOptions { GracePeriodSeconds = 30 });

        // Graceful: the object stays, marked, while the containers stop.
        var marked = await h.Clientset.CoreV1().Pods(ns).GetAsync("slow");
        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        Assert.Equal(30, marked.Metadata.DeletionGracePeriodSeconds);

        await h.UntilPodGoneAsync(ns, "slow");
        Assert.True(DateTimeOffset.UtcNow - deleted >= TimeSpan.FromSeconds(1.9), "removed before its containers stopped");
        SpinWait.SpinUntil(() => h.Nodes.PodDeletes == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, h.Nodes.PodDeletes);
    }

    [Fact]
    public async Task Delete_ShutdownDelayBeyondGrace_IsCappedByTheGracePeriod()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "stubborn", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.ShutdownDelayKey] = "1h" });
        await h.UntilPodAsync(ns, "stubborn", p => p.Status?.Phase == "Running");
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("stubborn", new DeleteOptions { GracePeriodSeconds = 1 });
        await h.UntilPodGoneAsync(ns, "stubborn", TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("0s", 30, "Succeeded", 0, "Completed")]
    [InlineData("1h", 1, "Failed", 137, "Error")]
    public async Task Delete_PostsTheTerminalStatus_BeforeTheFinalDelete(string shutdownDelay, int grace, string phase, int exitCode, string reason)
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "web", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.ShutdownDelayKey] = shutdownDelay });
        var running = await h.UntilPodAsync(ns, "web", p => p.Status?.Phase == "Running");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<(WatchEventType Type, V1Pod Pod)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in h.Clientset.CoreV1().Pods(ns).WatchAsync(new ListOptions { FieldSelector = "metadata.name=web", ResourceVersion = running.Metadata.ResourceVersion }, cts.Token))
            {
                if (e.Type == WatchEventType.Bookmark)
                {
                    continue;
                }

                seen.Add((e.Type, e.Object));
                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("web", new DeleteOptions { GracePeriodSeconds = grace });
        await watching;

        // As the kubelet: the stopped containers' status is posted while the object still exists, then it goes.
        var last = seen.Where(e => e.Type == WatchEventType.Modified).Select(e => e.Pod).Last();
        Assert.NotNull(last.Metadata.DeletionTimestamp);
        Assert.Equal(phase, last.Status.Phase);
        var terminated = last.Status.ContainerStatuses.Single().State.Terminated;
        Assert.NotNull(terminated);
        Assert.Equal(exitCode, terminated.ExitCode);
        Assert.Equal(reason, terminated.Reason);
        Assert.Equal("False", Ready(last));
        Assert.Equal(WatchEventType.Deleted, seen[^1].Type);
        Assert.Equal(phase, seen[^1].Pod.Status.Phase);

        // The count is taken before the request and given back when a DELETE finds the pod gone, so a late duplicate
        // attempt reads 2 for a moment: wait for it to settle at the one DELETE that removed the pod.
        SpinWait.SpinUntil(() => h.Nodes.PodDeletes == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, h.Nodes.PodDeletes);
    }

    [Theory]
    [InlineData("Never", "0", "Succeeded", "Completed")]
    [InlineData("Never", "1", "Failed", "Error")]
    [InlineData("OnFailure", "0", "Succeeded", "Completed")]
    public async Task ExitAfter_EndsThePod_PerRestartPolicy(string policy, string code, string phase, string reason)
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "job", "hollow-0", new Dictionary<string, string>
        {
            [HollowBehaviour.ExitAfterKey] = "1s",
            [HollowBehaviour.ExitCodeKey] = code,
        }, policy);
        var pod = await h.UntilPodAsync(ns, "job", p => p.Status?.Phase == phase);
        var t = pod.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture), t.ExitCode);
        Assert.Equal(reason, t.Reason);
        Assert.Equal("False", Ready(pod));
        if (phase == "Succeeded")
        {
            Assert.Equal("PodCompleted", pod.Status.Conditions.Single(c => c.Type == "Ready").Reason);
        }
    }

    [Fact]
    public async Task NeverReady_RunsButStaysUnready()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "nr", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.NeverReadyKey] = "true" });
        var pod = await h.UntilPodAsync(ns, "nr", p => p.Status?.Phase == "Running");
        Assert.Equal("False", Ready(pod));
        Assert.Equal("ContainersNotReady", pod.Status.Conditions.Single(c => c.Type == "Ready").Reason);
        Assert.Equal("containers with unready status: [app]", pod.Status.Conditions.Single(c => c.Type == "ContainersReady").Message);
    }

    [Fact]
    public async Task FlipReadiness_ReadyGoesTrueFalseTrue()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "flip", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.FlipReadinessKey] = "1s" });
        var seen = new List<string>();
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Pods(ns), pods =>
        {
            if (pods.SingleOrDefault()?.Status?.Phase == "Running" && Ready(pods.Single()) is { } r && (seen.Count == 0 || seen[^1] != r))
            {
                seen.Add(r);
            }

            return seen.Count >= 3;
        });
        Assert.Equal(["True", "False", "True"], seen.Take(3));
    }

    [Fact]
    public async Task StartDelay_IsPendingInContainerCreating_ThenRuns()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "slow", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.StartDelayKey] = "2s" });
        var pending = await h.UntilPodAsync(ns, "slow", p => p.Status?.ContainerStatuses is { Count: 1 });
        Assert.Equal("Pending", pending.Status.Phase);
        Assert.Equal("ContainerCreating", pending.Status.ContainerStatuses.Single().State.Waiting.Reason);
        Assert.NotNull(pending.Status.PodIP);
        var running = await h.UntilPodAsync(ns, "slow", p => p.Status?.Phase == "Running");
        Assert.True(running.Status.ContainerStatuses.Single().State.Running.StartedAt >= pending.Status.StartTime!.Value.AddSeconds(1));
    }

    [Fact]
    public async Task CrashLoop_RestartCountGrows_WithCrashLoopBackOff()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "crash", "hollow-0", new Dictionary<string, string> { [HollowBehaviour.CrashLoopKey] = "true" });
        var backOff = await h.UntilPodAsync(ns, "crash", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CrashLoopBackOff");
        Assert.Equal("Running", backOff.Status.Phase);
        Assert.Equal(1, backOff.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
        Assert.Contains("back-off", backOff.Status.ContainerStatuses.Single().State.Waiting.Message, StringComparison.Ordinal);
        var grown = await h.UntilPodAsync(ns, "crash", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 3);
        Assert.Equal("False", Ready(grown));
    }

    [Fact]
    public async Task Binding_ThroughPodsBinding_StartsThePod()
    {
        await using var h = await HollowHarness.StartAsync(Options(1));
        var ns = await h.NamespaceAsync();
        await h.Clientset.CoreV1().Pods(ns).CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "bound", NamespaceProperty = ns },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
        });
        var (status, _, _) = await h.ControlPlane.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/bound/binding",
            System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bound"},"target":{"apiVersion":"v1","kind":"Node","name":"hollow-0"}}"""));
        Assert.Equal(201, status);
        await h.UntilPodAsync(ns, "bound", p => p.Status?.Phase == "Running" && Ready(p) == "True");
    }

    [Fact]
    public async Task Kubectl_ShowsTheNodesAndThePodsWithIpAndNode()
    {
        await using var h = await HollowHarness.StartAsync(Options(2));
        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "web", "hollow-1");
        var pod = await h.UntilPodAsync(ns, "web", p => Ready(p) == "True");
        var kubectl = new Kubectl(h.KubeconfigPath);

        var nodes = await kubectl.OkAsync("get", "nodes");
        Assert.Matches(@"hollow-0\s+Ready\s+<none>\s+\S+\s+v1\.32\.0", nodes);
        Assert.Matches(@"hollow-1\s+Ready", nodes);

        var pods = await kubectl.OkAsync("get", "pods", "-n", ns, "-o", "wide");
        Assert.Matches(@"web\s+1/1\s+Running\s+0\s+\S+\s+" + System.Text.RegularExpressions.Regex.Escape(pod.Status.PodIP) + @"\s+hollow-1", pods);
    }

    [Fact]
    public async Task Options_TooManyNodes_Throw()
    {
        var cp = await Skiff.Testing.ControlPlane.TestControlPlane.StartAsync();
        await using (cp)
        {
            using var client = new Skiff.Client.Typed.Clientset(Skiff.Client.Config.ClientConfigLoader.FromKubeConfig(Skiff.Client.Config.KubeConfigLoader.LoadFile(cp.KubeconfigPath)));
            Assert.Throws<ArgumentException>(() => new HollowNodeSet(client, new HollowNodeOptions { Count = 50_000 }));
        }
    }

    private static string? Ready(V1Pod p) => p.Status?.Conditions?.SingleOrDefault(c => c.Type == "Ready")?.Status;
}
