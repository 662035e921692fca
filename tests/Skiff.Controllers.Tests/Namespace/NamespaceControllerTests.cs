using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Schema;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.Namespace;

public sealed class NamespaceControllerTests
{
    private static readonly (GroupVersionResource Gvr, Func<string, JsonObject> Make)[] Kinds =
    [
        (new("", "v1", "configmaps"), n => Obj("v1", "ConfigMap", n, new JsonObject { ["data"] = new JsonObject { ["k"] = "v" } })),
        (new("", "v1", "secrets"), n => Obj("v1", "Secret", n, new JsonObject { ["stringData"] = new JsonObject { ["k"] = "v" } })),
        (new("", "v1", "serviceaccounts"), n => Obj("v1", "ServiceAccount", n, [])),
        (new("", "v1", "pods"), n => Obj("v1", "Pod", n, new JsonObject
        {
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
        })),
        (new("apps", "v1", "deployments"), n => Obj("apps/v1", "Deployment", n, new JsonObject { ["spec"] = WorkloadSpec(n) })),
        (new("rbac.authorization.k8s.io", "v1", "roles"), n => Obj("rbac.authorization.k8s.io/v1", "Role", n, new JsonObject { ["rules"] = new JsonArray() })),
    ];

    /// <param name="wait">kubectl's --wait.</param>
    /// <param name="controllers">The namespace controller alone, or the whole catalogue (which adds a ServiceAccount and the CA ConfigMap to the namespace, and garbage-collects beside it).</param>
    [Theory]
    [InlineData(true, "namespace")]
    [InlineData(false, "namespace")]
    [InlineData(true, "*")]
    public async Task KubectlDeleteNamespace_500ObjectsOf6Kinds_LeavesNothing(bool wait, string controllers)
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select([controllers]));
        var ns = await h.NamespaceAsync("big");
        await Parallel.ForEachAsync(Enumerable.Range(0, 500), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var (gvr, make) = Kinds[i % Kinds.Length];
            await h.Dynamic.Resource(gvr).Namespace(ns).CreateAsync(make($"o{i}"), ct: ct);
        });
        foreach (var (gvr, _) in Kinds)
        {
            Assert.NotEmpty((await h.Dynamic.Resource(gvr).Namespace(ns).ListAsync())["items"]!.AsArray());
        }

        var namespaces = h.Clientset.CoreV1().Namespaces();
        var (exit, _, err) = await h.Kubectl.RunAsync(["delete", "ns", ns, "--wait=" + (wait ? "true" : "false")], timeout: TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, err);
        if (!wait)
        {
            await ListWatch.UntilAsync(namespaces, l => l.All(n => n.Metadata.Name != ns), TimeSpan.FromSeconds(60));
        }

        Assert.DoesNotContain((await namespaces.ListAsync()).Items, n => n.Metadata.Name == ns);
        foreach (var (gvr, _) in Kinds)
        {
            Assert.Empty((await h.Dynamic.Resource(gvr).Namespace(ns).ListAsync())["items"]!.AsArray());
        }
    }

    [Fact]
    public async Task ContentWithFinalizer_ReportsConditions_FinishesOnceReleased()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["namespace"]));
        var ns = await h.NamespaceAsync("fin");
        var cms = h.Clientset.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "held", Finalizers = ["example.com/hold"] } });
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "free" } });

        await h.Kubectl.OkAsync("delete", "ns", ns, "--wait=false");
        var namespaces = h.Clientset.CoreV1().Namespaces();
        var seen = await ListWatch.UntilAsync(namespaces, l => l.Any(n => n.Metadata.Name == ns
            && Condition(n, "NamespaceFinalizersRemaining")?.Status == "True"
            && Condition(n, "NamespaceContentRemaining")?.Status == "True"));
        var terminating = seen.Single(n => n.Metadata.Name == ns);

        Assert.Equal("Terminating", terminating.Status.Phase);
        var remaining = Condition(terminating, "NamespaceContentRemaining")!;
        Assert.Equal("SomeResourcesRemain", remaining.Reason);
        Assert.Equal("Some resources are remaining: configmaps. has 1 resource instances", remaining.Message);
        var finalizers = Condition(terminating, "NamespaceFinalizersRemaining")!;
        Assert.Equal("SomeFinalizersRemain", finalizers.Reason);
        Assert.Equal("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances", finalizers.Message);
        var discovery = Condition(terminating, "NamespaceDeletionDiscoveryFailure")!;
        Assert.Equal(("False", "ResourcesDiscovered", "All resources successfully discovered"), (discovery.Status, discovery.Reason, discovery.Message));
        Assert.Equal("False", Condition(terminating, "NamespaceDeletionGroupVersionParsingFailure")?.Status);
        Assert.Equal("ContentDeleted", Condition(terminating, "NamespaceDeletionContentFailure")?.Reason);
        Assert.Equal(["held"], (await cms.ListAsync()).Items.Select(c => c.Metadata.Name));
        Assert.Contains("kubernetes", terminating.Spec.Finalizers);

        // Creating content in a terminating namespace is refused, as upstream's NamespaceLifecycle admission does.
        var (exit, _, err) = await h.Kubectl.RunAsync(["create", "configmap", "late", "-n", ns]);
        Assert.NotEqual(0, exit);
        Assert.Contains($"unable to create new content in namespace {ns} because it is being terminated", err);

        await h.Kubectl.OkAsync("patch", "cm", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        await ListWatch.UntilAsync(namespaces, l => l.All(n => n.Metadata.Name != ns), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task ActiveNamespace_IsLeftAlone()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["namespace"]));
        var ns = await h.NamespaceAsync("keep");
        var cms = h.Clientset.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "stay" } });

        // A terminating neighbour is processed while this one is not touched.
        var other = await h.NamespaceAsync("gone");
        await h.Kubectl.OkAsync("delete", "ns", other);

        Assert.Equal(["stay"], (await cms.ListAsync()).Items.Select(c => c.Metadata.Name));
        var kept = await h.Clientset.CoreV1().Namespaces().GetAsync(ns);
        Assert.Equal("Active", kept.Status.Phase);
        Assert.Null(kept.Status.Conditions);
    }

    private static V1NamespaceCondition? Condition(V1Namespace ns, string type) => ns.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    private static JsonObject Obj(string apiVersion, string kind, string name, JsonObject rest)
    {
        rest["apiVersion"] = apiVersion;
        rest["kind"] = kind;
        rest["metadata"] = new JsonObject { ["name"] = name };
        return rest;
    }

    private static JsonObject WorkloadSpec(string name) => new()
    {
        ["replicas"] = 0,
        ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
        ["template"] = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
        },
    };
}
