using k8s.Models;
using Skiff.Controllers.DaemonSet;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Testing.WorkloadTestSupport;

namespace Skiff.Controllers.Tests.DaemonSet;

public sealed class DaemonSetControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["daemonset"]);

    [Fact]
    public async Task FollowsNodesJoiningAndLeaving_RespectsTaintsAndNodeSelector()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "n1", new Dictionary<string, string> { ["role"] = "a" });
        await NodeAsync(h, "n2", new Dictionary<string, string> { ["role"] = "b" });
        await NodeAsync(h, "tainted", null, new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" });
        await ApplyAsync(h, ns, DaemonSetYaml("all", "nginx:1"));
        await ApplyAsync(h, ns, DaemonSetYaml("only-a", "nginx:1", extraSpec: "nodeSelector: {role: a}"));
        await ApplyAsync(h, ns, DaemonSetYaml("tolerant", "nginx:1", extraSpec: "tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]"));

        var pods = await UntilPodsAsync(h, ns, l => Nodes(l, "all").SetEquals(["n1", "n2"]) && Nodes(l, "only-a").SetEquals(["n1"]) &&
            Nodes(l, "tolerant").SetEquals(["n1", "n2", "tainted"]));
        Assert.Equal(6, pods.Count);
        var pod = pods.First(p => p.Metadata.Labels["app"] == "all");
        var term = Assert.Single(pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms);
        var field = Assert.Single(term.MatchFields);
        Assert.Equal(("metadata.name", "In"), (field.Key, field.OperatorProperty));
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal(
            ["node.kubernetes.io/disk-pressure/NoSchedule", "node.kubernetes.io/memory-pressure/NoSchedule", "node.kubernetes.io/not-ready/NoExecute",
             "node.kubernetes.io/pid-pressure/NoSchedule", "node.kubernetes.io/unreachable/NoExecute", "node.kubernetes.io/unschedulable/NoSchedule"],
            pod.Spec.Tolerations.Where(t => t.OperatorProperty == "Exists").Select(t => $"{t.Key}/{t.Effect}").Order(StringComparer.Ordinal));
        Assert.Equal("1", pod.Metadata.Labels[DaemonSetPods.TemplateGenerationLabel]);
        Assert.True(pod.Metadata.Labels.ContainsKey("controller-revision-hash"));
        Assert.Equal("DaemonSet", Assert.Single(pod.Metadata.OwnerReferences).Kind);

        await kubectlStatus(h, ns, "all");
        var ds = await h.Clientset.AppsV1().DaemonSets(ns).GetAsync("all");
        Assert.Equal((2, 2, 2, 2, 2, 0, 0), (ds.Status.DesiredNumberScheduled, ds.Status.CurrentNumberScheduled, ds.Status.NumberReady,
            ds.Status.UpdatedNumberScheduled, ds.Status.NumberAvailable, ds.Status.NumberUnavailable ?? 0, ds.Status.NumberMisscheduled));
        Assert.Equal(ds.Metadata.Generation, ds.Status.ObservedGeneration);

        // A node joins: it gets the pods it should; a node leaves: its (unscheduled) pods go.
        await NodeAsync(h, "n3", new Dictionary<string, string> { ["role"] = "a" });
        await UntilPodsAsync(h, ns, l => Nodes(l, "all").SetEquals(["n1", "n2", "n3"]) && Nodes(l, "only-a").SetEquals(["n1", "n3"]));
        await h.Clientset.CoreV1().Nodes().DeleteAsync("n1");
        pods = await UntilPodsAsync(h, ns, l => Nodes(l, "all").SetEquals(["n2", "n3"]) && Nodes(l, "only-a").SetEquals(["n3"]) &&
            Nodes(l, "tolerant").SetEquals(["n2", "n3", "tainted"]));
        Assert.Equal(6, pods.Count);

        // A label change moves the pod of only-a; the status counts follow.
        await h.Kubectl.OkAsync("label", "node", "n2", "role=a", "--overwrite");
        await UntilPodsAsync(h, ns, l => Nodes(l, "only-a").SetEquals(["n2", "n3"]));
        var sets = await ListWatch.UntilAsync(h.Clientset.AppsV1().DaemonSets(ns), l => l.Single(d => d.Metadata.Name == "only-a").Status.NumberReady == 2);
        Assert.Equal(2, sets.Single(d => d.Metadata.Name == "only-a").Status.DesiredNumberScheduled);

        static async Task kubectlStatus(ControllerHarness h, string ns, string name) =>
            Assert.Contains("successfully rolled out", await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "ds/" + name, "--timeout=60s"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaintAdded_NoExecuteEvictsUntolerated_NoScheduleKeepsRunningPods()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "n1");
        await NodeAsync(h, "n2");
        await ApplyAsync(h, ns, DaemonSetYaml("web", "nginx:1"));
        await UntilPodsAsync(h, ns, l => Nodes(l, "web").SetEquals(["n1", "n2"]) && l.All(Ready));

        // NoSchedule on n1: the running pod stays, but the node no longer counts as desired (misscheduled).
        await h.Kubectl.OkAsync("taint", "node", "n1", "k=v:NoSchedule");
        var sets = await ListWatch.UntilAsync(h.Clientset.AppsV1().DaemonSets(ns), l => l.Single().Status.NumberMisscheduled == 1);
        Assert.Equal(1, sets.Single().Status.DesiredNumberScheduled);
        Assert.Equal(["n1", "n2"], Nodes((await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items, "web").Order());

        // NoExecute on n2: its pod is deleted.
        await h.Kubectl.OkAsync("taint", "node", "n2", "k=v:NoExecute");
        await UntilPodsAsync(h, ns, l => Nodes(l, "web").SetEquals(["n1"]));
    }

    [Fact]
    public async Task RollingUpdate_MaxUnavailableOne_ReplacesOneNodeAtATime_HistoryAndUndoWithRealKubectl()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        foreach (var n in new[] { "n1", "n2", "n3" })
        {
            await NodeAsync(h, n);
        }

        await ApplyAsync(h, ns, DaemonSetYaml("web", "nginx:1"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "ds/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(Ready));

        // Per node, the pods not being deleted and ready; at most one node may lack one at any time.
        using var watching = new CancellationTokenSource();
        var follow = await FollowPodsAsync(h, ns, pods => new[] { "n1", "n2", "n3" }.Count(n =>
            !pods.Any(p => DaemonSetPods.TargetNodeName(p) == n && p.Metadata.DeletionTimestamp is null && Ready(p))), watching.Token);
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "ds/web", "c=nginx:2");
        Assert.Contains("successfully rolled out", await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "ds/web", "--timeout=60s"), StringComparison.Ordinal);
        var pods = await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(p => p.Spec.Containers[0].Image == "nginx:2" && Ready(p)));
        await watching.CancelAsync();
        var seen = await follow;
        Assert.True(seen.Count > 6, $"the watch saw the rollout ({seen.Count} events)");
        Assert.Equal(1, seen.Max());
        Assert.All(pods, p => Assert.Equal("2", p.Metadata.Labels[DaemonSetPods.TemplateGenerationLabel]));

        var revisions = (await h.Clientset.Resource<V1ControllerRevision, V1ControllerRevisionList>(ns).ListAsync()).Items;
        Assert.Equal([1L, 2L], revisions.Select(r => r.Revision ?? 0).Order());
        Assert.All(revisions, r => Assert.Equal("web-" + r.Metadata.Labels["controller-revision-hash"], r.Metadata.Name));
        var current = revisions.Single(r => r.Revision == 2);
        Assert.All(pods, p => Assert.Equal(current.Metadata.Labels["controller-revision-hash"], p.Metadata.Labels["controller-revision-hash"]));
        var json = System.Text.Json.Nodes.JsonNode.Parse(await h.Kubectl.OkAsync("get", "controllerrevision", "-n", ns, current.Metadata.Name, "-o", "json"))!;
        Assert.Equal("replace", (string?)json["data"]!["spec"]!["template"]!["$patch"]);
        Assert.Equal("nginx:2", (string?)json["data"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);

        var history = await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "ds/web");
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        var first = await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "ds/web", "--revision=1");
        Assert.Contains("nginx:1", first, StringComparison.Ordinal);
        Assert.Contains("Pod Template:", first, StringComparison.Ordinal);

        Assert.Contains("rolled back", await h.Kubectl.OkAsync("rollout", "undo", "-n", ns, "ds/web"), StringComparison.Ordinal);
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "ds/web", "--timeout=60s");
        pods = await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(p => p.Spec.Containers[0].Image == "nginx:1" && Ready(p)));
        Assert.All(pods, p => Assert.Equal("3", p.Metadata.Labels[DaemonSetPods.TemplateGenerationLabel]));
        revisions = (await ListWatch.UntilAsync(h.Clientset.Resource<V1ControllerRevision, V1ControllerRevisionList>(ns), l => l.Any(r => r.Revision == 3))).ToList();
        Assert.Equal(2, revisions.Count);
        Assert.Contains("nginx:1", await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "ds/web", "--revision=3"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnDelete_ReplacesOnlyDeletedPods()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "n1");
        await NodeAsync(h, "n2");
        await ApplyAsync(h, ns, DaemonSetYaml("web", "nginx:1", strategy: "OnDelete"));
        var pods = await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(Ready));
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "ds/web", "c=nginx:2");
        await ListWatch.UntilAsync(h.Clientset.AppsV1().DaemonSets(ns), l => l.Single().Status.ObservedGeneration == 2 && (l.Single().Status.UpdatedNumberScheduled ?? 0) == 0);
        Assert.All((await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items, p => Assert.Equal("nginx:1", p.Spec.Containers[0].Image));

        var victim = pods.Single(p => DaemonSetPods.TargetNodeName(p) == "n1");
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync(victim.Metadata.Name);
        pods = await UntilPodsAsync(h, ns, l => l.Count == 2 && l.Any(p => DaemonSetPods.TargetNodeName(p) == "n1" && p.Spec.Containers[0].Image == "nginx:2" && Ready(p)));
        Assert.Equal("nginx:1", pods.Single(p => DaemonSetPods.TargetNodeName(p) == "n2").Spec.Containers[0].Image);
        await ListWatch.UntilAsync(h.Clientset.AppsV1().DaemonSets(ns), l => l.Single().Status.UpdatedNumberScheduled == 1);
    }

    [Fact]
    public async Task RollingUpdate_MaxSurge_StartsTheNewPodBeforeTheOldOneGoes()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "n1");
        await NodeAsync(h, "n2");
        await ApplyAsync(h, ns, DaemonSetYaml("web", "nginx:1").Replace("rollingUpdate: {maxUnavailable: 1}", "rollingUpdate: {maxUnavailable: 0, maxSurge: 1}", StringComparison.Ordinal));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "ds/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(Ready));

        // Every node keeps a ready pod throughout; some node runs two pods at some point.
        using var watching = new CancellationTokenSource();
        var follow = await FollowPodsAsync(h, ns, pods => new[] { "n1", "n2" }.Select(n =>
            pods.Count(p => DaemonSetPods.TargetNodeName(p) == n && p.Metadata.DeletionTimestamp is null && Ready(p))).ToArray(), watching.Token);
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "ds/web", "c=nginx:2");
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "ds/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(p => p.Spec.Containers[0].Image == "nginx:2" && Ready(p)));
        await watching.CancelAsync();
        var seen = await follow;
        Assert.All(seen, perNode => Assert.All(perNode, ready => Assert.True(ready >= 1, "a node was left without a ready daemon pod")));
        Assert.Contains(seen, perNode => perNode.Any(ready => ready == 2));
    }

    private static HashSet<string> Nodes(IEnumerable<V1Pod> pods, string app) =>
        [.. pods.Where(p => p.Metadata.Labels?.TryGetValue("app", out var a) == true && a == app && p.Metadata.DeletionTimestamp is null).Select(p => DaemonSetPods.TargetNodeName(p) ?? "?")];

    internal static string DaemonSetYaml(string name, string image, string strategy = "RollingUpdate", string? extraSpec = null)
    {
        var rolling = strategy == "RollingUpdate" ? "\n    rollingUpdate: {maxUnavailable: 1}" : "";
        var extra = extraSpec is null ? "" : "\n      " + extraSpec;
        return $$$"""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: {{{name}}}}
            spec:
              updateStrategy:
                type: {{{strategy}}}{{{rolling}}}
              selector: {matchLabels: {app: {{{name}}}}}
              template:
                metadata: {labels: {app: {{{name}}}}}
                spec:
                  containers: [{name: c, image: "{{{image}}}"}]{{{extra}}}
            """;
    }
}
