using System.Text.RegularExpressions;
using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.ReplicaSet;

public sealed partial class ReplicaSetControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["replicaset", "replicationcontroller"]);

    [Fact]
    public async Task KubectlScale_CreatesAndDeletesPods_StatusFollows()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, ReplicaSetYaml("web", 3));
        var pods = h.Clientset.CoreV1().Pods(ns);
        var rss = h.Clientset.AppsV1().ReplicaSets(ns);

        var list = await ListWatch.UntilAsync(pods, l => l.Count == 3);
        Assert.All(list, p => Assert.Matches(PodName(), p.Metadata.Name));
        Assert.All(list, p =>
        {
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal(("ReplicaSet", "web", true, true), (owner.Kind, owner.Name, owner.Controller, owner.BlockOwnerDeletion));
        });
        await ListWatch.UntilAsync(rss, l => l.Any(r => r.Status is { Replicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, FullyLabeledReplicas: 3 } && r.Status.ObservedGeneration == r.Metadata.Generation));

        await h.Kubectl.OkAsync("scale", "-n", ns, "rs/web", "--replicas=5");
        await ListWatch.UntilAsync(pods, l => l.Count == 5);
        await ListWatch.UntilAsync(rss, l => l.Any(r => r.Status is { Replicas: 5, ReadyReplicas: 5 } && r.Status.ObservedGeneration == r.Metadata.Generation));

        await h.Kubectl.OkAsync("scale", "-n", ns, "rs/web", "--replicas=1");
        await ListWatch.UntilAsync(pods, l => l.Count == 1);
        await ListWatch.UntilAsync(rss, l => l.Any(r => r.Status is { Replicas: 1, ReadyReplicas: 1 }));

        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns),
            l => l.Any(e => e.Reason == "SuccessfulCreate") && l.Any(e => e.Reason == "SuccessfulDelete"));
        var created = events.First(e => e.Reason == "SuccessfulCreate");
        Assert.Equal(("ReplicaSet", "web", "replicaset-controller"), (created.InvolvedObject.Kind, created.InvolvedObject.Name, created.Source.Component));
        Assert.StartsWith("Created pod: web-", created.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScaleDown_DeletesThePendingPodBeforeRunningOnes()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, ReplicaSetYaml("web", 2));
        var pods = h.Clientset.CoreV1().Pods(ns);
        var running = await ListWatch.UntilAsync(pods, l => l.Count == 2 && l.All(p => p.Status?.Phase == "Running"));

        kubelet.Predicate = _ => false;
        await h.Kubectl.OkAsync("scale", "-n", ns, "rs/web", "--replicas=3");
        await ListWatch.UntilAsync(h.Clientset.AppsV1().ReplicaSets(ns), l => l.Any(r => r.Status is { Replicas: 3, ReadyReplicas: 2 }));
        await h.Kubectl.OkAsync("scale", "-n", ns, "rs/web", "--replicas=2");
        var left = await ListWatch.UntilAsync(pods, l => l.Count == 2);
        Assert.Equal(running.Select(p => p.Metadata.Name).Order(), left.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task MinReadySeconds_PodsBecomeAvailableAfterwards()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, ReplicaSetYaml("web", 2).Replace("  replicas: 2", "  replicas: 2\n  minReadySeconds: 5", StringComparison.Ordinal));
        var rss = h.Clientset.AppsV1().ReplicaSets(ns);
        var seen = new List<(int Ready, int Available)>();
        await ListWatch.UntilAsync(rss, l =>
        {
            seen.Add((l.Single().Status?.ReadyReplicas ?? 0, l.Single().Status?.AvailableReplicas ?? 0));
            return l.Single().Status?.AvailableReplicas == 2;
        });

        // Ready came first; availability followed minReadySeconds later, from a requeue (nothing else changed then).
        Assert.Contains(seen, s => s.Ready > s.Available);
    }

    [Fact]
    public async Task Orphans_AreAdopted_AndPodsThatStopMatching_AreReleased()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        foreach (var name in new[] { "orphan-a", "orphan-b" })
        {
            await pods.CreateAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx:1" }] },
            });
        }

        await ApplyAsync(h, ns, ReplicaSetYaml("web", 3));
        var list = await ListWatch.UntilAsync(pods, l => l.Count == 3 && l.All(Owned));
        Assert.Contains(list, p => p.Metadata.Name == "orphan-a");
        Assert.Contains(list, p => p.Metadata.Name == "orphan-b");

        await h.Kubectl.OkAsync("label", "-n", ns, "pod/orphan-a", "app=other", "--overwrite");
        list = await ListWatch.UntilAsync(pods, l => l.Count == 4 && l.Count(Owned) == 3 &&
            l.Single(p => p.Metadata.Name == "orphan-a").Metadata.OwnerReferences is null or { Count: 0 });
        Assert.DoesNotContain(list.Where(Owned), p => p.Metadata.Name == "orphan-a");

        static bool Owned(V1Pod p) => p.Metadata.OwnerReferences?.SingleOrDefault(r => r.Controller == true) is { Kind: "ReplicaSet", Name: "web", BlockOwnerDeletion: true };
    }

    [Fact]
    public async Task ReplicationController_ScalesAndReportsStatus()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, """
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: legacy}
            spec:
              replicas: 2
              selector: {app: legacy}
              template:
                metadata: {labels: {app: legacy}}
                spec: {containers: [{name: c, image: "nginx:1"}]}
            """);
        var pods = h.Clientset.CoreV1().Pods(ns);
        var list = await ListWatch.UntilAsync(pods, l => l.Count == 2);
        Assert.All(list, p => Assert.Equal("ReplicationController", p.Metadata.OwnerReferences.Single().Kind));
        await h.Kubectl.OkAsync("scale", "-n", ns, "rc/legacy", "--replicas=4");
        await ListWatch.UntilAsync(pods, l => l.Count == 4);
        var rcs = h.Clientset.Resource<V1ReplicationController, V1ReplicationControllerList>(ns);
        await ListWatch.UntilAsync(rcs, l => l.Any(r => r.Status is { Replicas: 4, ReadyReplicas: 4, AvailableReplicas: 4 } && r.Status.ObservedGeneration == r.Metadata.Generation));
        Assert.Equal("4", await h.Kubectl.OkAsync("get", "-n", ns, "rc/legacy", "-o", "jsonpath={.status.readyReplicas}"));
    }

    internal static async Task ApplyAsync(ControllerHarness h, string ns, string yaml)
    {
        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], yaml);
        Assert.True(exit == 0, err);
    }

    internal static string ReplicaSetYaml(string name, int replicas, string image = "nginx:1") => $$$"""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: {{{name}}}}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: {{{name}}}}}
          template:
            metadata: {labels: {app: {{{name}}}}}
            spec: {containers: [{name: c, image: "{{{image}}}"}]}
        """;

    [GeneratedRegex("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex PodName();
}
