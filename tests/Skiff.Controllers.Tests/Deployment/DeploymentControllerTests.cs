using k8s;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Controllers.Deployment;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.Deployment;

public sealed class DeploymentControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["replicaset", "deployment"]);

    [Fact]
    public async Task RollingUpdate_KeepsMinimumAvailability_RolloutStatusHistoryAndUndo()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, DeploymentYaml("web", 4, "RollingUpdate", "nginx:1"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");

        // Watch the pods for the whole rollout: the ready, not-terminating pods never drop below replicas - maxUnavailable.
        using var watching = new CancellationTokenSource();
        var availability = await FollowPodsAsync(h, ns, pods => pods.Count(p => Ready(p) && p.Metadata.DeletionTimestamp is null), watching.Token);
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "deploy/web", "c=nginx:2");
        var status = await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        Assert.Contains("successfully rolled out", status, StringComparison.Ordinal);
        await UntilPodsAsync(h, ns, l => l.Count == 4 && l.All(p => p.Spec.Containers[0].Image == "nginx:2" && Ready(p)));
        await watching.CancelAsync();
        var seen = await availability;
        Assert.True(seen.Count > 8, $"the watch saw the rollout ({seen.Count} events)");
        var minimum = seen.Min();
        Assert.True(minimum >= 3, $"ready pods dropped to {minimum} (< replicas 4 - maxUnavailable 1)");

        var rss = (await h.Clientset.AppsV1().ReplicaSets(ns).ListAsync()).Items;
        Assert.Equal(2, rss.Count);
        Assert.All(rss, rs => Assert.Equal("web-" + rs.Spec.Template.Metadata.Labels[PodTemplateHash.Label], rs.Metadata.Name));
        Assert.Equal(["1", "2"], rss.OrderBy(rs => rs.Spec.Template.Spec.Containers[0].Image).Select(rs => rs.Metadata.Annotations[DeploymentAnnotations.RevisionKey]));
        var d = await h.Clientset.AppsV1().Deployments(ns).GetAsync("web");
        Assert.Equal("2", d.Metadata.Annotations[DeploymentAnnotations.RevisionKey]);
        Assert.Equal(("True", "NewReplicaSetAvailable"), Condition(d, "Progressing"));
        Assert.Equal(("True", "MinimumReplicasAvailable"), Condition(d, "Available"));
        Assert.Equal((4, 4, 4, 4), (d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas));

        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Count(e => e.Reason == "ScalingReplicaSet") >= 3);
        var newName = rss.Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:2").Metadata.Name;
        Assert.Contains(events, e => e.Reason == "ScalingReplicaSet" && e.Message == $"Scaled up replica set {newName} from 0 to 1" && e.Source.Component == "deployment-controller");
        Assert.Contains(events, e => e.Reason == "ScalingReplicaSet" && e.Message.StartsWith("Scaled down replica set web-", StringComparison.Ordinal));

        var history = await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "deploy/web");
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        Assert.Contains("nginx:1", await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "deploy/web", "--revision=1"), StringComparison.Ordinal);

        Assert.Contains("rolled back", await h.Kubectl.OkAsync("rollout", "undo", "-n", ns, "deploy/web"), StringComparison.Ordinal);
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 4 && l.All(p => p.Spec.Containers[0].Image == "nginx:1" && Ready(p)));
        var first = (await h.Clientset.AppsV1().ReplicaSets(ns).ListAsync()).Items.Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:1");
        Assert.Equal("3", first.Metadata.Annotations[DeploymentAnnotations.RevisionKey]);
        Assert.Equal("1", first.Metadata.Annotations[DeploymentAnnotations.RevisionHistory]);
        history = await h.Kubectl.OkAsync("rollout", "history", "-n", ns, "deploy/web");
        Assert.Matches(@"(?m)^3\s", history);
        Assert.DoesNotMatch(@"(?m)^1\s", history);
    }

    [Fact]
    public async Task PauseResumeRestartAndScale_BehaveAsUpstream()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, DeploymentYaml("web", 2, "RollingUpdate", "nginx:1"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        var deployments = h.Clientset.AppsV1().Deployments(ns);

        await h.Kubectl.OkAsync("rollout", "pause", "-n", ns, "deploy/web");
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "deploy/web", "c=nginx:3");
        await ListWatch.UntilAsync(deployments, l => l.Any(d => d.Status.ObservedGeneration == d.Metadata.Generation &&
            Condition(d, "Progressing") == ("Unknown", "DeploymentPaused")));
        Assert.DoesNotContain((await h.Clientset.AppsV1().ReplicaSets(ns).ListAsync()).Items, rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:3");

        await h.Kubectl.OkAsync("rollout", "resume", "-n", ns, "deploy/web");
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(p => p.Spec.Containers[0].Image == "nginx:3" && Ready(p)));

        await h.Kubectl.OkAsync("rollout", "restart", "-n", ns, "deploy/web");
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 2 && l.All(p => Ready(p) && p.Metadata.Annotations?.ContainsKey("kubectl.kubernetes.io/restartedAt") == true));

        await h.Kubectl.OkAsync("scale", "-n", ns, "deploy/web", "--replicas=5");
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 5 && l.All(Ready));
        Assert.Equal("5/5", await h.Kubectl.OkAsync("get", "-n", ns, "deploy/web", "-o", "jsonpath={.status.readyReplicas}/{.status.updatedReplicas}"));
    }

    [Fact]
    public async Task HashCollision_BumpsCollisionCount_AndPicksAnotherName()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        var yaml = DeploymentYaml("web", 2, "RollingUpdate", "nginx:1").Replace("spec:\n  replicas", "spec:\n  paused: true\n  replicas", StringComparison.Ordinal);
        Assert.Contains("paused: true", yaml, StringComparison.Ordinal);
        await ApplyAsync(h, ns, yaml);
        var d = await h.Clientset.AppsV1().Deployments(ns).GetAsync("web");

        // The hash does not depend on the wire format the template was read with.
        using (var json = new Skiff.Client.Typed.Clientset(h.Config with { ContentType = Skiff.Client.Config.WireFormat.Json }))
        {
            var viaJson = await json.AppsV1().Deployments(ns).GetAsync("web");
            Assert.Equal(PodTemplateHash.Compute(d.Spec.Template, null), PodTemplateHash.Compute(viaJson.Spec.Template, null));
        }

        // Someone else's ReplicaSet already holds the name the Deployment's template hashes to.
        var taken = "web-" + PodTemplateHash.Compute(d.Spec.Template, null);
        await ReplicaSet.ReplicaSetControllerTests.ApplyAsync(h, ns, ReplicaSet.ReplicaSetControllerTests.ReplicaSetYaml("other", 0).Replace("name: other}", $"name: {taken}}}", StringComparison.Ordinal));
        await h.Kubectl.OkAsync("rollout", "resume", "-n", ns, "deploy/web");
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");

        d = await h.Clientset.AppsV1().Deployments(ns).GetAsync("web");
        Assert.Equal(1, d.Status.CollisionCount);
        var owned = (await h.Clientset.AppsV1().ReplicaSets(ns).ListAsync()).Items.Where(rs => rs.Metadata.OwnerReferences?.Any(o => o.Uid == d.Metadata.Uid) == true).ToList();
        Assert.Equal("web-" + PodTemplateHash.Compute(d.Spec.Template, 1), Assert.Single(owned).Metadata.Name);
        Assert.Null((await h.Clientset.AppsV1().ReplicaSets(ns).GetAsync(taken)).Metadata.OwnerReferences);
    }

    [Fact]
    public async Task RevisionHistoryLimit_DeletesTheOldestOldReplicaSets()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, DeploymentYaml("web", 1, "RollingUpdate", "nginx:1").Replace("spec:\n  replicas", "spec:\n  revisionHistoryLimit: 1\n  replicas", StringComparison.Ordinal));
        foreach (var image in new[] { "nginx:2", "nginx:3" })
        {
            await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
            await h.Kubectl.OkAsync("set", "image", "-n", ns, "deploy/web", "c=" + image);
        }

        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");
        var left = await ListWatch.UntilAsync(h.Clientset.AppsV1().ReplicaSets(ns), l => l.Count == 2);
        Assert.Equal(["nginx:2", "nginx:3"], left.Select(rs => rs.Spec.Template.Spec.Containers[0].Image).Order());
        Assert.Equal(["2", "3"], left.Select(rs => rs.Metadata.Annotations[DeploymentAnnotations.RevisionKey]).Order());
    }

    [Fact]
    public async Task Recreate_RemovesOldPodsBeforeCreatingNewOnes()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, DeploymentYaml("db", 3, "Recreate", "postgres:1"));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/db", "--timeout=60s");

        using var watching = new CancellationTokenSource();
        var states = await FollowPodsAsync(h, ns, pods => (New: pods.Count(p => p.Spec.Containers[0].Image == "postgres:2"), Old: pods.Count(p => p.Spec.Containers[0].Image == "postgres:1")), watching.Token);
        await h.Kubectl.OkAsync("set", "image", "-n", ns, "deploy/db", "c=postgres:2");
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/db", "--timeout=60s");
        await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(p => p.Spec.Containers[0].Image == "postgres:2" && Ready(p)));
        await watching.CancelAsync();
        var seen = await states;
        Assert.Contains(seen, s => s.New == 3);
        Assert.DoesNotContain(seen, s => s.New > 0 && s.Old > 0);
    }

    [Fact]
    public async Task ProgressDeadline_Exceeded_SetsConditionAndFailsRolloutStatus()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset, p => p.Spec.Containers[0].Image != "nginx:broken");
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, DeploymentYaml("web", 2, "RollingUpdate", "nginx:1", progressDeadlineSeconds: 2));
        await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "deploy/web", "--timeout=60s");

        await h.Kubectl.OkAsync("set", "image", "-n", ns, "deploy/web", "c=nginx:broken");
        var list = await ListWatch.UntilAsync(h.Clientset.AppsV1().Deployments(ns),
            l => l.Any(d => Condition(d, "Progressing") == ("False", "ProgressDeadlineExceeded")));
        var c = list.Single().Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Matches("^ReplicaSet \"web-[a-z0-9]+\" has timed out progressing.$", c.Message);
        Assert.Equal(("True", "MinimumReplicasAvailable"), Condition(list.Single(), "Available"));

        var (exit, _, err) = await h.Kubectl.RunAsync(["rollout", "status", "-n", ns, "deploy/web", "--timeout=30s"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("exceeded its progress deadline", err, StringComparison.Ordinal);
    }

    private static (string?, string?) Condition(V1Deployment d, string type) =>
        d.Status?.Conditions?.FirstOrDefault(c => c.Type == type) is { } c ? (c.Status, c.Reason) : (null, null);

    private static bool Ready(V1Pod p) => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static Task UntilPodsAsync(ControllerHarness h, string ns, Func<IReadOnlyList<V1Pod>, bool> predicate) =>
        ListWatch.UntilAsync(h.Clientset.CoreV1().Pods(ns), predicate, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Lists the namespace's pods, then (returned task) follows them on a watch from that list until cancelled,
    /// recording <paramref name="measure"/> of the pod set after every event.
    /// </summary>
    private static async Task<Task<List<T>>> FollowPodsAsync<T>(ControllerHarness h, string ns, Func<ICollection<V1Pod>, T> measure, CancellationToken ct)
    {
        var client = h.Clientset.CoreV1().Pods(ns);
        var list = await client.ListAsync();
        var pods = list.Items.ToDictionary(p => p.Metadata.Name);
        return Task.Run(async () =>
        {
            var seen = new List<T>();
            try
            {
                await foreach (var e in client.WatchAsync(new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, ct))
                {
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    if (e.Type == WatchEventType.Deleted)
                    {
                        pods.Remove(e.Object.Metadata.Name);
                    }
                    else
                    {
                        pods[e.Object.Metadata.Name] = e.Object;
                    }

                    seen.Add(measure(pods.Values));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }

            return seen;
        }, CancellationToken.None);
    }

    private static async Task ApplyAsync(ControllerHarness h, string ns, string yaml)
    {
        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], yaml);
        Assert.True(exit == 0, err);
    }

    private static string DeploymentYaml(string name, int replicas, string strategy, string image, int progressDeadlineSeconds = 600)
    {
        var rolling = strategy == "RollingUpdate" ? "\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}" : "";
        return $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: {{{name}}}}
            spec:
              replicas: {{{replicas}}}
              progressDeadlineSeconds: {{{progressDeadlineSeconds}}}
              strategy:
                type: {{{strategy}}}{{{rolling}}}
              selector: {matchLabels: {app: {{{name}}}}}
              template:
                metadata: {labels: {app: {{{name}}}}}
                spec: {containers: [{name: c, image: "{{{image}}}"}]}
            """;
    }
}
