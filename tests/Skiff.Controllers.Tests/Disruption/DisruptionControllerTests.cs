using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Typed;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.Disruption;

public sealed class DisruptionControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["replicaset", "disruption"]);

    [Fact]
    public async Task MinAvailable2Of3Ready_AllowsOne_FirstEvictionPasses_SecondGets429_UntilRecomputed()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, ReplicaSetYaml("web", 3) + "---\n" + PdbYaml("web-pdb", "minAvailable: 2"));
        var pdbs = Pdbs(h, ns);
        var pdb = (await ListWatch.UntilAsync(pdbs, l => l.Single().Status is { CurrentHealthy: 3, DisruptionsAllowed: 1 }))[0];
        Assert.Equal((3, 2, 3, 1, pdb.Metadata.Generation), (pdb.Status.CurrentHealthy, pdb.Status.DesiredHealthy, pdb.Status.ExpectedPods, pdb.Status.DisruptionsAllowed, pdb.Status.ObservedGeneration));
        var condition = Assert.Single(pdb.Status.Conditions);
        Assert.Equal(("DisruptionAllowed", "True", "SufficientPods"), (condition.Type, condition.Status, condition.Reason));

        var pods = (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        kubelet.Predicate = p => pods.Contains(p.Metadata.Name); // replacements stay unready until the test says so
        var (first, _, _) = await Evict(h, ns, pods[0]);
        Assert.Equal(201, first);

        // The budget was spent in the same step: the next eviction is refused at once, with upstream's message and cause.
        var spent = await pdbs.GetAsync("web-pdb");
        Assert.Equal(0, spent.Status.DisruptionsAllowed);
        Assert.True(spent.Status.DisruptedPods?.ContainsKey(pods[0]) == true || !(await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items.Any(p => p.Metadata.Name == pods[0]));
        var (second, body, _) = await Evict(h, ns, pods[1]);
        Assert.Equal(429, second);
        Assert.Equal("TooManyRequests", body!["reason"]!.GetValue<string>());
        Assert.Equal("Cannot evict pod as it would violate the pod's disruption budget.", body["message"]!.GetValue<string>());
        var cause = body["details"]!["causes"]![0]!;
        Assert.Equal("DisruptionBudget", cause["reason"]!.GetValue<string>());
        Assert.StartsWith("The disruption budget web-pdb needs 2 healthy pods and has ", cause["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // The ReplicaSet replaces the evicted pod; once it is ready the controller gives the budget back.
        kubelet.Predicate = _ => true;
        kubelet.Reevaluate();
        await ListWatch.UntilAsync(pdbs, l => l.Single().Status is { CurrentHealthy: 3, DisruptionsAllowed: 1 } s && (s.DisruptedPods is null || s.DisruptedPods.Count == 0));
        var (third, _, _) = await Evict(h, ns, pods[1]);
        Assert.Equal(201, third);
    }

    [Fact]
    public async Task MaxUnavailablePercent_ScalesWithTheController_AndUnmatchedPdbAllowsNone()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, ReplicaSetYaml("web", 3) + "---\n" + PdbYaml("half", "maxUnavailable: 50%") + "---\n" +
            PdbYaml("nobody", "minAvailable: 1").Replace("app: web", "app: nobody", StringComparison.Ordinal));
        var list = await ListWatch.UntilAsync(Pdbs(h, ns), l => l.Count == 2 && l.All(p => p.Status?.ObservedGeneration == p.Metadata.Generation) &&
            l.Single(p => p.Metadata.Name == "half").Status.CurrentHealthy == 3);

        // 50% of 3 rounds up to 2 unavailable: desiredHealthy 1, so 2 disruptions are allowed.
        var half = list.Single(p => p.Metadata.Name == "half").Status;
        Assert.Equal((3, 1, 3, 2), (half.ExpectedPods, half.DesiredHealthy, half.CurrentHealthy, half.DisruptionsAllowed));
        var nobody = list.Single(p => p.Metadata.Name == "nobody").Status;
        Assert.Equal((0, 0), (nobody.ExpectedPods, nobody.DisruptionsAllowed));
        Assert.Equal(("False", "InsufficientPods"), (nobody.Conditions.Single().Status, nobody.Conditions.Single().Reason));
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "NoPods" && e.InvolvedObject.Name == "nobody"));
    }

    private static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Evict(ControllerHarness h, string ns, string pod) =>
        h.ControlPlane.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/{pod}/eviction", new JsonObject
        {
            ["apiVersion"] = "policy/v1",
            ["kind"] = "Eviction",
            ["metadata"] = new JsonObject { ["name"] = pod, ["namespace"] = ns },
        });

    private static ResourceClient<V1PodDisruptionBudget, V1PodDisruptionBudgetList> Pdbs(ControllerHarness h, string ns) =>
        h.Clientset.Resource<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(ns);

    private static async Task ApplyAsync(ControllerHarness h, string ns, string yaml)
    {
        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], yaml);
        Assert.True(exit == 0, err);
    }

    private static string PdbYaml(string name, string budget) => $$"""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: {{name}}}
        spec:
          {{budget}}
          selector:
            matchLabels:
              app: web

        """;

    private static string ReplicaSetYaml(string name, int replicas) => $$$"""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: {{{name}}}}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: c, image: nginx}]

        """;
}
