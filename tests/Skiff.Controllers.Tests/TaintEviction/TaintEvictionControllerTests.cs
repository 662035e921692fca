using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Endpoints.ServicePods;

namespace Skiff.Controllers.Tests.TaintEviction;

public sealed class TaintEvictionControllerTests
{
    [Fact]
    public async Task KubectlTaintNoExecute_EvictsPodsNotToleratingIt_AtOnce_WithDisruptionTarget_TolerantPodStays()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["taint-eviction-controller"]));
        var node = "n-" + Guid.NewGuid().ToString("N")[..6];
        await NodeAsync(h, node);
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        await PodAsync(h, ns, "victim", App("x"), node, "10.6.0.1", ready: true);
        await pods.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "tolerant" },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "app", Image = "busybox" }],
                Tolerations = [new V1Toleration { Key = "example.com/drain", OperatorProperty = "Equal", Value = "yes", Effect = "NoExecute" }],
            },
        });

        await h.Kubectl.OkAsync("taint", "node", node, "example.com/drain=yes:NoExecute");
        var list = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "victim" && p.Metadata.DeletionTimestamp is not null));
        var victim = list.Single(p => p.Metadata.Name == "victim");
        var condition = Assert.Single(victim.Status.Conditions, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint"), (condition.Status, condition.Reason, condition.Message));
        Assert.Null(list.Single(p => p.Metadata.Name == "tolerant").Metadata.DeletionTimestamp);
        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "TaintManagerEviction"));
        Assert.Contains(events, e => e.InvolvedObject.Name == "victim" && e.Message == $"Marking for deletion Pod {ns}/victim");
    }
}
