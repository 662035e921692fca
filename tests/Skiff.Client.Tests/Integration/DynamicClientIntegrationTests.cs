using System.Text.Json.Nodes;
using k8s;
using Skiff.Client.Cache;
using Skiff.Client.Dynamic;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Schema;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>The dynamic client and dynamic informers against the real in-process API server.</summary>
public sealed class DynamicClientIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly GroupVersionResource ConfigMaps = new("", "v1", "configmaps");
    private static readonly GroupVersionResource Deployments = new("apps", "v1", "deployments");

    private static JsonObject ConfigMap(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "dyn" } },
        ["data"] = new JsonObject { ["k"] = value },
    };

    [Fact]
    public async Task Verbs_ConfigMap_RoundTripAsJson()
    {
        using var typed = fx.Clientset();
        var ns = await fx.NamespaceAsync(typed);
        using var dynamic = new DynamicClient(fx.Config());
        var cms = dynamic.Resource(ConfigMaps).Namespace(ns);

        var created = await cms.CreateAsync(ConfigMap("a", "1"));
        Assert.Equal(ns, (string?)created["metadata"]!["namespace"]);
        Assert.NotNull((string?)created["metadata"]!["uid"]);
        var got = await cms.GetAsync("a");
        Assert.Equal("1", (string?)got["data"]!["k"]);
        Assert.Equal("ConfigMap", (string?)got["kind"]);

        // The typed client sees the same object.
        Assert.Equal((string?)created["metadata"]!["uid"], (await typed.CoreV1().ConfigMaps(ns).GetAsync("a")).Metadata.Uid);

        got["data"]!["k"] = "2";
        var updated = await cms.UpdateAsync(got);
        Assert.Equal("2", (string?)updated["data"]!["k"]);
        created["data"]!["k"] = "stale";
        Assert.True(ApiErrors.IsConflict(await Assert.ThrowsAsync<KubernetesApiException>(() => cms.UpdateAsync(created))));

        var patched = await cms.PatchAsync("a", PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["extra"] = "x" } });
        Assert.Equal("x", (string?)patched["data"]!["extra"]);
        var applied = await cms.ApplyAsync(ConfigMap("b", "applied"), "dyn-test");
        Assert.Equal("applied", (string?)applied["data"]!["k"]);

        var list = await cms.ListAsync(new ListOptions { LabelSelector = "app=dyn" });
        Assert.Equal("ConfigMapList", (string?)list["kind"]);
        Assert.Equal(["a", "b"], list["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrEmpty((string?)list["metadata"]!["resourceVersion"]));

        await cms.DeleteAsync("a");
        Assert.True(ApiErrors.IsNotFound(await Assert.ThrowsAsync<KubernetesApiException>(() => cms.GetAsync("a"))));
        await cms.DeleteCollectionAsync(listOptions: new ListOptions { LabelSelector = "app=dyn" });
        Assert.Empty((await cms.ListAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task Verbs_ClusterScopedAndSubresource_Work()
    {
        using var typed = fx.Clientset();
        var ns = await fx.NamespaceAsync(typed);
        using var dynamic = new DynamicClient(fx.Config());
        var namespaces = await dynamic.Resource(new GroupVersionResource("", "v1", "namespaces")).ListAsync();
        Assert.Contains(namespaces["items"]!.AsArray(), n => (string?)n!["metadata"]!["name"] == ns);

        var deployments = dynamic.Resource(Deployments).Namespace(ns);
        await deployments.CreateAsync(JsonNode.Parse(KubernetesSerialization.Serialize(TestObjects.Deployment("web", 1) with { })) is JsonObject o
            ? WithTypeMeta(o) : throw new InvalidOperationException());
        var scale = await deployments.GetAsync("web", subresource: "scale");
        Assert.Equal("Scale", (string?)scale["kind"]);
        Assert.Equal(1, (int?)scale["spec"]!["replicas"]);
        var patched = await deployments.PatchAsync("web", PatchType.Merge, """{"spec":{"replicas":4}}""", subresource: "scale");
        Assert.Equal(4, (int?)patched["spec"]!["replicas"]);
        Assert.Equal(4, (int?)(await deployments.GetAsync("web"))["spec"]!["replicas"]);
    }

    private static JsonObject WithTypeMeta(JsonObject o)
    {
        o["apiVersion"] = "apps/v1";
        o["kind"] = "Deployment";
        return o;
    }

    [Fact]
    public async Task Watch_FromListResourceVersion_YieldsLaterChangesAsJson()
    {
        using var typed = fx.Clientset();
        var ns = await fx.NamespaceAsync(typed);
        using var dynamic = new DynamicClient(fx.Config());
        var cms = dynamic.Resource(ConfigMaps).Namespace(ns);
        var rv = (string?)(await cms.ListAsync())["metadata"]!["resourceVersion"];
        using var cts = new CancellationTokenSource(Deadline);
        var events = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in cms.WatchAsync(new ListOptions { ResourceVersion = rv }, cts.Token))
            {
                events.Add($"{e.Type} {(string?)e.Object["metadata"]!["name"]} {(string?)e.Object["data"]?["k"]}");
                if (events.Count == 3)
                {
                    return;
                }
            }
        });
        await cms.CreateAsync(ConfigMap("w", "1"));
        await cms.PatchAsync("w", PatchType.Merge, """{"data":{"k":"2"}}""");
        await cms.DeleteAsync("w");
        await watching.WaitAsync(Deadline);
        Assert.Equal([$"{WatchEventType.Added} w 1", $"{WatchEventType.Modified} w 2", $"{WatchEventType.Deleted} w 2"], events);
    }

    [Fact]
    public async Task DynamicInformer_ConfigMaps_CachesAndNotifiesLikeATypedOne()
    {
        using var typed = fx.Clientset();
        var ns = await fx.NamespaceAsync(typed);
        using var dynamic = new DynamicClient(fx.Config());
        var cms = dynamic.Resource(ConfigMaps).Namespace(ns);
        await cms.CreateAsync(ConfigMap("pre", "0"));
        await using var factory = new DynamicSharedInformerFactory(dynamic, ns: ns);
        var informer = factory.ForResource(ConfigMaps);
        Assert.Same(informer, factory.ForResource(ConfigMaps));
        var h = new KeyedRecorder<DynamicObject>();
        informer.AddEventHandler(h);
        await factory.StartAsync();
        await factory.WaitForCacheSyncAsync().WaitAsync(Deadline);

        var created = await cms.CreateAsync(ConfigMap("new", "1"));
        var updated = await cms.PatchAsync("new", PatchType.Merge, """{"data":{"k":"2"}}""");
        await cms.DeleteAsync("pre");
        await h.WaitAsync(s => s.Count == 2 && s[$"{ns}/new"].Count == 2 && s[$"{ns}/pre"].Count == 2, Deadline);
        Assert.Equal([$"add {created["metadata"]!["resourceVersion"]}", $"update {updated["metadata"]!["resourceVersion"]}"], h.History($"{ns}/new"));
        Assert.StartsWith("delete ", h.History($"{ns}/pre")[1], StringComparison.Ordinal);

        var cached = informer.Lister.Get(ns, "new");
        Assert.NotNull(cached);
        Assert.Equal("2", (string?)cached.Object["data"]!["k"]);
        Assert.Equal("ConfigMap", cached.Kind);
        Assert.Equal("dyn", cached.Metadata.Labels["app"]);
        Assert.Equal([$"{ns}/new"], informer.Indexer.ListKeys());
    }
}
