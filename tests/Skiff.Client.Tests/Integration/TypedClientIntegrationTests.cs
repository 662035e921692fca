using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>Typed clients against the real in-process API server.</summary>
public sealed class TypedClientIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Pods_CreateGetListUpdatePatchDelete_RoundTrip()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var pods = cs.CoreV1().Pods(ns);

        var created = await pods.CreateAsync(TestObjects.Pod("p1", new Dictionary<string, string> { ["app"] = "x" }));
        Assert.Equal(ns, created.Metadata.NamespaceProperty);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal("busybox", created.Spec.Containers[0].Image);

        var got = await pods.GetAsync("p1");
        Assert.Equal(created.Metadata.Uid, got.Metadata.Uid);
        Assert.Equal(created.Metadata.ResourceVersion, got.Metadata.ResourceVersion);

        var list = await pods.ListAsync();
        Assert.Equal(["p1"], list.Items.Select(p => p.Metadata.Name));
        Assert.False(string.IsNullOrEmpty(list.Metadata.ResourceVersion));

        got.Spec.Containers[0].Image = "busybox:2";
        var updated = await pods.UpdateAsync(got);
        Assert.Equal("busybox:2", updated.Spec.Containers[0].Image);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        // The first read is stale now: a write carrying its resourceVersion is a conflict.
        created.Spec.Containers[0].Image = "busybox:3";
        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => pods.UpdateAsync(created));
        Assert.True(conflict.IsConflict);
        Assert.True(ApiErrors.IsConflict(conflict));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.Code);

        var merged = await pods.PatchAsync("p1", PatchType.Merge, """{"metadata":{"labels":{"tier":"web"}}}""");
        Assert.Equal("web", merged.Metadata.Labels["tier"]);
        Assert.Equal("x", merged.Metadata.Labels["app"]);
        var strategic = await pods.PatchAsync("p1", PatchType.StrategicMerge, """{"spec":{"containers":[{"name":"c","image":"busybox:4"}]}}""");
        Assert.Equal("busybox:4", Assert.Single(strategic.Spec.Containers).Image);
        var jsonPatched = await pods.PatchAsync("p1", PatchType.Json, """[{"op":"remove","path":"/metadata/labels/tier"}]""");
        Assert.False(jsonPatched.Metadata.Labels.ContainsKey("tier"));

        await pods.DeleteAsync("p1", new DeleteOptions { GracePeriodSeconds = 0 });
        var notFound = await Assert.ThrowsAsync<KubernetesApiException>(() => pods.GetAsync("p1"));
        Assert.True(notFound.IsNotFound);
        Assert.True(ApiErrors.IsNotFound(notFound));
        Assert.Empty((await pods.ListAsync()).Items);
    }

    [Fact]
    public async Task Deployments_CreateGetListUpdatePatchDelete_RoundTrip()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var deployments = cs.AppsV1().Deployments(ns);

        var created = await deployments.CreateAsync(TestObjects.Deployment("web", 2));
        Assert.Equal(2, created.Spec.Replicas);
        Assert.Equal(1, created.Metadata.Generation);
        var dup = await Assert.ThrowsAsync<KubernetesApiException>(() => deployments.CreateAsync(TestObjects.Deployment("web")));
        Assert.True(dup.IsAlreadyExists);

        var got = await deployments.GetAsync("web");
        Assert.Equal("nginx", got.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(["web"], (await deployments.ListAsync()).Items.Select(d => d.Metadata.Name));

        got.Spec.Replicas = 3;
        var updated = await deployments.UpdateAsync(got);
        Assert.Equal(3, updated.Spec.Replicas);
        Assert.Equal(2, updated.Metadata.Generation);

        got.Spec.Replicas = 5; // got still carries the old resourceVersion
        Assert.True(ApiErrors.IsConflict(await Assert.ThrowsAsync<KubernetesApiException>(() => deployments.UpdateAsync(got))));

        var patched = await deployments.PatchAsync("web", PatchType.StrategicMerge,
            """{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}""");
        Assert.Equal("nginx:1.27", Assert.Single(patched.Spec.Template.Spec.Containers).Image);
        Assert.Equal(3, patched.Spec.Replicas);

        var applied = await deployments.ApplyAsync(
            new V1Deployment { Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["owner"] = "apply" } } },
            fieldManager: "client2-test");
        Assert.Equal("apply", applied.Metadata.Labels["owner"]);

        await deployments.DeleteAsync("web");
        Assert.True(ApiErrors.IsNotFound(await Assert.ThrowsAsync<KubernetesApiException>(() => deployments.GetAsync("web"))));
        Assert.True(ApiErrors.IsNotFound(await Assert.ThrowsAsync<KubernetesApiException>(() => deployments.DeleteAsync("web"))));
    }

    [Fact]
    public async Task List_LabelSelector_ReturnsOnlyMatchingObjects()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(TestObjects.ConfigMap("a", labels: new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" }));
        await cms.CreateAsync(TestObjects.ConfigMap("b", labels: new Dictionary<string, string> { ["tier"] = "db", ["env"] = "prod" }));
        await cms.CreateAsync(TestObjects.ConfigMap("c", labels: new Dictionary<string, string> { ["tier"] = "web" }));

        static string[] Names(V1ConfigMapList l) => [.. l.Items.Select(i => i.Metadata.Name).Order(StringComparer.Ordinal)];
        Assert.Equal(["a", "c"], Names(await cms.ListAsync(new ListOptions { LabelSelector = "tier=web" })));
        Assert.Equal(["a"], Names(await cms.ListAsync(new ListOptions { LabelSelector = "tier=web,env=prod" })));
        Assert.Equal(["c"], Names(await cms.ListAsync(new ListOptions { LabelSelector = "tier,!env" })));
        Assert.Equal(["a", "b"], Names(await cms.ListAsync(new ListOptions { LabelSelector = "tier in (web,db),env" })));
        Assert.Equal(["b"], Names(await cms.ListAsync(new ListOptions { LabelSelector = "tier notin (web)" })));
        var bad = await Assert.ThrowsAsync<KubernetesApiException>(() => cms.ListAsync(new ListOptions { LabelSelector = "tier in (" }));
        Assert.True(bad.IsBadRequest);

        // Paging keeps the selector.
        var page = await cms.ListAsync(new ListOptions { LabelSelector = "tier", Limit = 1 });
        Assert.Single(page.Items);
        Assert.False(string.IsNullOrEmpty(page.Metadata.ContinueProperty));
        var rest = await cms.ListAsync(new ListOptions { LabelSelector = "tier", Limit = 5, Continue = page.Metadata.ContinueProperty });
        Assert.Equal(3, page.Items.Count + rest.Items.Count);
    }
}
