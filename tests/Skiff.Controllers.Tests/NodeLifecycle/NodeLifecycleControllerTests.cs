using k8s.Models;
using Skiff.Controllers.NodeLifecycle;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Endpoints.ServicePods;

namespace Skiff.Controllers.Tests.NodeLifecycle;

public sealed class NodeLifecycleControllerTests
{
    private static readonly NodeLifecycleOptions Fast = new()
    {
        NodeMonitorGracePeriod = TimeSpan.FromSeconds(2),
        NodeStartupGracePeriod = TimeSpan.FromSeconds(2),
        NodeMonitorPeriod = TimeSpan.FromMilliseconds(200),
        NodeEvictionRate = 100,
    };

    private static IEnumerable<ControllerDescriptor> Controllers =>
    [
        new("nodelifecycle", true, ctx => NodeLifecycleController.Register(ctx, Fast)),
        .. BuiltInControllers.Select(["taint-eviction-controller"]),
    ];

    private static bool HasTaint(V1Node n, string key, string effect) => n.Spec?.Taints?.Any(t => t.Key == key && t.Effect == effect) == true;

    [Fact]
    public async Task SilentNode_GoesUnknown_IsTainted_PodsEvictedPerToleration_RecoveryLiftsTaints()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var alive = new FakeNodeAgent(h.Clientset, "alive-" + Guid.NewGuid().ToString("N")[..6]);
        await using var silent = new FakeNodeAgent(h.Clientset, "silent-" + Guid.NewGuid().ToString("N")[..6]);
        await alive.RegisterAsync();
        alive.StartHeartbeats(TimeSpan.FromMilliseconds(300));
        await silent.RegisterAsync();
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        await PodAsync(h, ns, "plain", App("x"), silent.Name, "10.5.0.1", ready: true);
        await pods.CreateAsync(TolerantPod("brief", silent.Name, 3));
        await pods.CreateAsync(TolerantPod("forever", silent.Name, null));
        await StatusAsync(h, ns, "brief", "10.5.0.2", ready: true);
        var nodes = h.Clientset.CoreV1().Nodes();

        // The pod without tolerations got upstream's default ones.
        var plain = await pods.GetAsync("plain");
        Assert.Contains(plain.Spec.Tolerations, t => (t.Key, t.OperatorProperty, t.Effect, t.TolerationSeconds) == ("node.kubernetes.io/unreachable", "Exists", "NoExecute", 300));
        Assert.Contains(plain.Spec.Tolerations, t => (t.Key, t.TolerationSeconds) == ("node.kubernetes.io/not-ready", 300));

        // Silent past the grace period: Unknown, then tainted unreachable NoSchedule and NoExecute.
        var list = await ListWatch.UntilAsync(nodes, l => l.Any(n => n.Metadata.Name == silent.Name &&
            HasTaint(n, "node.kubernetes.io/unreachable", "NoExecute") && HasTaint(n, "node.kubernetes.io/unreachable", "NoSchedule")));
        var node = list.Single(n => n.Metadata.Name == silent.Name);
        var ready = node.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."), (ready.Status, ready.Reason, ready.Message));
        Assert.Contains(node.Status.Conditions, c => c.Type == "MemoryPressure" && c.Status == "Unknown" && c.Reason == "NodeStatusNeverUpdated");
        var taintedAt = node.Spec.Taints.Single(t => t.Effect == "NoExecute").TimeAdded!.Value;
        var healthy = list.Single(n => n.Metadata.Name == alive.Name);
        Assert.Null(healthy.Spec?.Taints);

        // Its pods are marked not ready; the one tolerating for 3 s is evicted after them, the others stay.
        var evicted = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "brief" && p.Metadata.DeletionTimestamp is not null), TimeSpan.FromSeconds(30));
        var brief = evicted.Single(p => p.Metadata.Name == "brief");
        Assert.True(brief.Metadata.DeletionTimestamp!.Value >= taintedAt.AddSeconds(3) - TimeSpan.FromSeconds(1), $"deleted at {brief.Metadata.DeletionTimestamp:O}, tainted at {taintedAt:O}");
        Assert.Contains(brief.Status.Conditions, c => (c.Type, c.Status, c.Reason) == ("DisruptionTarget", "True", "DeletionByTaintManager"));
        Assert.Contains(brief.Status.Conditions, c => (c.Type, c.Status) == ("Ready", "False"));
        Assert.All(evicted.Where(p => p.Metadata.Name != "brief"), p => Assert.Null(p.Metadata.DeletionTimestamp));
        Assert.Contains(evicted.Single(p => p.Metadata.Name == "plain").Status.Conditions, c => (c.Type, c.Status) == ("Ready", "False"));

        // The node comes back: its taints go.
        await silent.PostStatusAsync("True");
        await silent.RenewAsync();
        await ListWatch.UntilAsync(nodes, l => l.Any(n => n.Metadata.Name == silent.Name && (n.Spec?.Taints ?? []).Count == 0 &&
            n.Status.Conditions.Single(c => c.Type == "Ready").Status == "True"));
        var after = await pods.ListAsync();
        Assert.All(after.Items.Where(p => p.Metadata.Name != "brief"), p => Assert.Null(p.Metadata.DeletionTimestamp));
    }

    [Fact]
    public async Task NodeReportingNotReady_IsTaintedNotReady_AndCordonAddsUnschedulable()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var a = new FakeNodeAgent(h.Clientset, "a-" + Guid.NewGuid().ToString("N")[..6]);
        await using var b = new FakeNodeAgent(h.Clientset, "b-" + Guid.NewGuid().ToString("N")[..6]);
        await a.RegisterAsync();
        a.StartHeartbeats(TimeSpan.FromMilliseconds(300));
        await b.RegisterAsync(ready: "False");
        b.StartHeartbeats(TimeSpan.FromMilliseconds(300));
        var nodes = h.Clientset.CoreV1().Nodes();
        await ListWatch.UntilAsync(nodes, l => l.Any(n => n.Metadata.Name == b.Name &&
            HasTaint(n, "node.kubernetes.io/not-ready", "NoExecute") && HasTaint(n, "node.kubernetes.io/not-ready", "NoSchedule")));

        await h.Kubectl.OkAsync("cordon", a.Name);
        var list = await ListWatch.UntilAsync(nodes, l => l.Any(n => n.Metadata.Name == a.Name && HasTaint(n, "node.kubernetes.io/unschedulable", "NoSchedule")));
        Assert.DoesNotContain(list.Single(n => n.Metadata.Name == a.Name).Spec.Taints, t => t.Effect == "NoExecute");
    }

    private static V1Pod TolerantPod(string name, string node, long? seconds) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = "app", Image = "busybox" }],
            Tolerations =
            [
                new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = seconds },
                new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = seconds },
            ],
        },
    };
}
