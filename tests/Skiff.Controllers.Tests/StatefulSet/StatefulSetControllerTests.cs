using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Testing.WorkloadTestSupport;

namespace Skiff.Controllers.Tests.StatefulSet;

public sealed class StatefulSetControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["statefulset"]);

    [Fact]
    public async Task OrderedReady_CreatesInOrderOnlyAfterReady_DeletesInReverse_WithClaimsAndIdentity()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var released = false;
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset, _ => Volatile.Read(ref released));
        var ns = await h.NamespaceAsync();

        // Every pod web-i (i > 0) appears only once web-(i-1) is Ready.
        using var watching = new CancellationTokenSource();
        var follow = await FollowPodsAsync(h, ns, pods => pods.Where(p => p.Metadata.DeletionTimestamp is null).All(p =>
            Ordinal(p) == 0 || pods.Any(q => Ordinal(q) == Ordinal(p) - 1 && Ready(q))), watching.Token);
        await ApplyAsync(h, ns, StatefulSetYaml("web", 3, "nginx:1", claims: true));

        // web-0 is held unready: the controller has seen it (status counts it, its claim exists) and made no web-1.
        var sets = await ListWatch.UntilAsync(h.Clientset.AppsV1().StatefulSets(ns), l => l.Single().Status?.Replicas == 1);
        Assert.Equal(0, sets.Single().Status.ReadyReplicas ?? 0);
        await ListWatch.UntilAsync(h.Clientset.CoreV1().PersistentVolumeClaims(ns), l => l.Any(c => c.Metadata.Name == "data-web-0"));
        Assert.Equal(["web-0"], (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items.Select(p => p.Metadata.Name));

        Volatile.Write(ref released, true);
        kubelet.Reevaluate();
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s");
        var pods = await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(Ready));
        await watching.CancelAsync();
        Assert.All(await follow, ok => Assert.True(ok, "a pod appeared before its predecessor was Ready"));

        foreach (var pod in pods)
        {
            var name = pod.Metadata.Name;
            Assert.Equal(name, pod.Spec.Hostname);
            Assert.Equal("web-svc", pod.Spec.Subdomain);
            Assert.Equal(name, pod.Metadata.Labels["statefulset.kubernetes.io/pod-name"]);
            Assert.Equal(name[^1..], pod.Metadata.Labels["apps.kubernetes.io/pod-index"]);
            Assert.Equal("data-" + name, pod.Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        }

        var claims = (await h.Clientset.CoreV1().PersistentVolumeClaims(ns).ListAsync()).Items;
        Assert.Equal(["data-web-0", "data-web-1", "data-web-2"], claims.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(claims, c => Assert.Equal("web", c.Metadata.Labels["app"]));
        var set = await h.Clientset.AppsV1().StatefulSets(ns).GetAsync("web");
        Assert.Equal((3, 3, 3, 3, 3), (set.Status.Replicas, set.Status.ReadyReplicas, set.Status.CurrentReplicas, set.Status.UpdatedReplicas, set.Status.AvailableReplicas));
        Assert.Equal(set.Status.CurrentRevision, set.Status.UpdateRevision);
        Assert.All(pods, p => Assert.Equal(set.Status.UpdateRevision, p.Metadata.Labels["controller-revision-hash"]));
        Assert.Equal(set.Metadata.Generation, set.Status.ObservedGeneration);

        // Scale down: web-2 goes before web-1 (never web-1 gone while web-2 remains); the claims stay (Retain).
        using var watchingDown = new CancellationTokenSource();
        var down = await FollowPodsAsync(h, ns, pods => pods.Any(p => p.Metadata.Name == "web-2") && !pods.Any(p => p.Metadata.Name == "web-1"), watchingDown.Token);
        await h.Kubectl.OkAsync("scale", "-n", ns, "sts/web", "--replicas=1");
        await UntilPodsAsync(h, ns, l => l.Select(p => p.Metadata.Name).SequenceEqual(["web-0"]));
        await watchingDown.CancelAsync();
        Assert.DoesNotContain(true, await down);
        Assert.Equal(3, (await h.Clientset.CoreV1().PersistentVolumeClaims(ns).ListAsync()).Items.Count);
    }

    [Fact]
    public async Task Parallel_CreatesAllPodsAtOnce_AndOrdinalsStart()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var released = false;
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset, _ => Volatile.Read(ref released));
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, StatefulSetYaml("db", 3, "postgres:1", extraSpec: "podManagementPolicy: Parallel\n  ordinals: {start: 5}"));

        // None is ready, yet all three exist.
        var pods = await UntilPodsAsync(h, ns, l => l.Count == 3);
        Assert.Equal(["db-5", "db-6", "db-7"], pods.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(pods, Ready);

        Volatile.Write(ref released, true);
        kubelet.Reevaluate();
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/db", "--timeout=60s");
        await h.Kubectl.OkAsync("scale", "-n", ns, "sts/db", "--replicas=1");
        await UntilPodsAsync(h, ns, l => l.Select(p => p.Metadata.Name).SequenceEqual(["db-5"]));
    }

    [Fact]
    public async Task PartitionedRollingUpdate_UpdatesOnlyOrdinalsAtOrAbovePartition()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, StatefulSetYaml("web", 3, "nginx:1", partition: 1));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s");
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "sts/web", "c=nginx:2");
        var status = await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s");
        Assert.Contains("partitioned roll out complete: 2 new pods have been updated", status, StringComparison.Ordinal);

        var pods = await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(Ready) && l.Count(p => Image(p) == "nginx:2") == 2);
        Assert.Equal("nginx:1", Image(pods.Single(p => p.Metadata.Name == "web-0")));
        var set = await h.Clientset.AppsV1().StatefulSets(ns).GetAsync("web");
        Assert.NotEqual(set.Status.CurrentRevision, set.Status.UpdateRevision);
        Assert.Equal((2, 1), (set.Status.UpdatedReplicas, set.Status.CurrentReplicas));
        Assert.Equal(set.Status.CurrentRevision, pods.Single(p => p.Metadata.Name == "web-0").Metadata.Labels["controller-revision-hash"]);

        await h.Kubectl.OkAsync("patch", "-n", ns, "sts/web", "-p", """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}""");
        Assert.Contains("roll out complete: 3 new pods", await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s"), StringComparison.Ordinal);
        await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(p => Ready(p) && Image(p) == "nginx:2"));
        set = await h.Clientset.AppsV1().StatefulSets(ns).GetAsync("web");
        Assert.Equal(set.Status.CurrentRevision, set.Status.UpdateRevision);
    }

    [Fact]
    public async Task RollingUpdate_HistoryAndUndo_WithRealKubectl()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, StatefulSetYaml("web", 2, "nginx:1"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s");
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "sts/web", "c=nginx:2");
        Assert.Contains("roll out complete: 2 new pods", await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s"), StringComparison.Ordinal);
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(p => Ready(p) && Image(p) == "nginx:2"));

        var history = await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "sts/web");
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        Assert.Contains("nginx:1", await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "sts/web", "--revision=1"), StringComparison.Ordinal);

        Assert.Contains("rolled back", await h.Kubectl.OkAsync("rollout", "undo", "-n", ns, "sts/web"), StringComparison.Ordinal);
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(p => Ready(p) && Image(p) == "nginx:1"));
        var revisions = await ListWatch.UntilAsync(h.Clientset.Resource<V1ControllerRevision, V1ControllerRevisionList>(ns), l => l.Any(r => r.Revision == 3));
        Assert.Equal([2L, 3L], revisions.Select(r => r.Revision ?? 0).Order());
        var set = await h.Clientset.AppsV1().StatefulSets(ns).GetAsync("web");
        Assert.Equal(revisions.Single(r => r.Revision == 3).Metadata.Name, set.Status.UpdateRevision);
        Assert.All(revisions, r => Assert.Equal("web-" + r.Metadata.Labels["controller-revision-hash"], r.Metadata.Name));
    }

    [Fact]
    public async Task ClaimRetention_WhenScaledDelete_AndWhenDeletedDelete_OwnClaimsForTheGarbageCollector()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["statefulset", "garbagecollector"]));
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, StatefulSetYaml("web", 3, "nginx:1", claims: true,
            extraSpec: "persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=60s");
        var set = await h.Clientset.AppsV1().StatefulSets(ns).GetAsync("web");
        var claims = await ListWatch.UntilAsync(h.Clientset.CoreV1().PersistentVolumeClaims(ns),
            l => l.Count == 3 && l.All(c => c.Metadata.OwnerReferences?.Any(r => r.Uid == set.Metadata.Uid) == true));
        Assert.All(claims, c => Assert.Equal("StatefulSet", Assert.Single(c.Metadata.OwnerReferences).Kind));

        // Scaled down: the claim of web-2 is handed to its pod, and goes with it.
        await h.Kubectl.OkAsync("scale", "-n", ns, "sts/web", "--replicas=2");
        claims = await ListWatch.UntilAsync(h.Clientset.CoreV1().PersistentVolumeClaims(ns), l => l.Count == 2);
        Assert.Equal(["data-web-0", "data-web-1"], claims.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));

        // The set deleted: its claims go too.
        await h.Kubectl.OkAsync("delete", "-n", ns, "sts/web");
        await ListWatch.UntilAsync(h.Clientset.CoreV1().PersistentVolumeClaims(ns), l => l.Count == 0);
    }

    [Fact]
    public async Task OnDelete_ReplacesOnlyDeletedPods_MaxUnavailableReplacesSeveralAtOnce()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, StatefulSetYaml("web", 2, "nginx:1", extraSpec: "updateStrategy: {type: OnDelete}"));
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(Ready));
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "sts/web", "c=nginx:2");
        await ListWatch.UntilAsync(h.Clientset.AppsV1().StatefulSets(ns), l => l.Single().Status.ObservedGeneration == 2 &&
            l.Single().Status.UpdateRevision != l.Single().Status.CurrentRevision);
        Assert.All((await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items, p => Assert.Equal("nginx:1", Image(p)));
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("web-0");
        var pods = await UntilPodsAsync(h, ns, l => l.Count == 2 && l.Any(p => p.Metadata.Name == "web-0" && Image(p) == "nginx:2" && Ready(p)));
        Assert.Equal("nginx:1", Image(pods.Single(p => p.Metadata.Name == "web-1")));

        // RollingUpdate with maxUnavailable 2 of 4: two old pods are replaced at once (never more than two missing).
        await ApplyAsync(h, ns, StatefulSetYaml("big", 4, "nginx:1", extraSpec: "podManagementPolicy: Parallel\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/big", "--timeout=60s");
        using var watching = new CancellationTokenSource();
        var follow = await FollowPodsAsync(h, ns, l => 4 - l.Count(p => p.Metadata.Name.StartsWith("big-", StringComparison.Ordinal) && p.Metadata.DeletionTimestamp is null && Ready(p)), watching.Token);
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "sts/big", "c=nginx:2");
        await UntilPodsAsync(h, ns, l => l.Count(p => p.Metadata.Name.StartsWith("big-", StringComparison.Ordinal) && Image(p) == "nginx:2" && Ready(p)) == 4);
        await watching.CancelAsync();
        var missing = await follow;
        Assert.Equal(2, missing.Max());
    }

    private static int Ordinal(V1Pod p) => int.Parse(p.Metadata.Name[(p.Metadata.Name.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string Image(V1Pod p) => p.Spec.Containers[0].Image;

    internal static string StatefulSetYaml(string name, int replicas, string image, bool claims = false, int? partition = null, string? extraSpec = null)
    {
        var update = partition is { } p ? $"\n  updateStrategy: {{type: RollingUpdate, rollingUpdate: {{partition: {p}}}}}" : "";
        var extra = extraSpec is null ? "" : "\n  " + extraSpec;
        var templates = claims
            ? "\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"
            : "";
        return $$$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: {{{name}}}}
            spec:
              replicas: {{{replicas}}}
              serviceName: {{{name}}}-svc{{{update}}}{{{extra}}}
              selector: {matchLabels: {app: {{{name}}}}}
              template:
                metadata: {labels: {app: {{{name}}}}}
                spec: {containers: [{name: c, image: "{{{image}}}"}]}{{{templates}}}
            """;
    }
}
