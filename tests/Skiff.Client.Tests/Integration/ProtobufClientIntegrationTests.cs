using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>
/// The typed clients speaking protobuf to the real in-process API server: what goes over the wire, and that every
/// result equals what the JSON path returns for the same objects.
/// </summary>
public sealed class ProtobufClientIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private const string Protobuf = "application/vnd.kubernetes.protobuf";

    [Fact]
    public void ClientConfig_Default_IsProtobuf()
        => Assert.Equal(WireFormat.Protobuf, fx.Config().ContentType);

    [Fact]
    public async Task Pods_ProtobufRoundTrip_UsesProtobufAndMatchesJson()
    {
        var (pb, pbWire, json, jsonWire) = Clients();
        using var _ = pb;
        using var __ = json;
        var ns = await fx.NamespaceAsync(json);
        var pods = pb.CoreV1().Pods(ns);
        var jsonPods = json.CoreV1().Pods(ns);

        var created = await pods.CreateAsync(TestObjects.Pod("p1", new Dictionary<string, string> { ["app"] = "x" }));
        Assert.Equal("busybox", created.Spec.Containers[0].Image);
        Assert.Equal(ns, created.Metadata.NamespaceProperty);
        AssertSame(created, await jsonPods.GetAsync("p1"));

        var got = await pods.GetAsync("p1");
        AssertSame(await jsonPods.GetAsync("p1"), got);
        AssertSame(await jsonPods.ListAsync(), await pods.ListAsync());

        got.Spec.Containers[0].Image = "busybox:2";
        got.Metadata.Labels["tier"] = "web";
        var updated = await pods.UpdateAsync(got);
        Assert.Equal("busybox:2", updated.Spec.Containers[0].Image);
        Assert.Equal("web", updated.Metadata.Labels["tier"]);
        AssertSame(updated, await jsonPods.GetAsync("p1"));

        // A stale write fails with a protobuf Status decoded like a JSON one.
        created.Spec.Containers[0].Image = "busybox:3";
        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => pods.UpdateAsync(created));
        Assert.True(conflict.IsConflict);

        await pods.DeleteAsync("p1", new DeleteOptions { GracePeriodSeconds = 0 });
        var notFound = await Assert.ThrowsAsync<KubernetesApiException>(() => pods.GetAsync("p1"));
        Assert.True(notFound.IsNotFound);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, notFound.Code);
        Assert.Contains("p1", notFound.Message, StringComparison.Ordinal);
        var jsonNotFound = await Assert.ThrowsAsync<KubernetesApiException>(() => jsonPods.GetAsync("p1"));
        Assert.Equal(
            (jsonNotFound.Status.Code, jsonNotFound.Status.Reason, jsonNotFound.Status.Message, jsonNotFound.Status.Status, jsonNotFound.Status.Details?.Name, jsonNotFound.Status.Details?.Kind),
            (notFound.Status.Code, notFound.Status.Reason, notFound.Status.Message, notFound.Status.Status, notFound.Status.Details?.Name, notFound.Status.Details?.Kind));

        var w = pbWire.Exchanges.Where(e => e.Path.Contains("/pods", StringComparison.Ordinal)).ToList();
        Assert.Equal(Protobuf, Assert.Single(w, e => e.Method == "POST").RequestContentType);
        Assert.Equal(Protobuf, Assert.Single(w, e => e.Method == "PUT" && e.Status == 200).RequestContentType);
        Assert.All(w, e => Assert.Equal(RestRequest.ProtobufAccept, e.Accept));
        Assert.All(w, e => Assert.Equal(Protobuf, e.ResponseContentType));
        Assert.Contains(w, e => e.Status == 404);
        Assert.Contains(w, e => e.Status == 409);
        Assert.All(jsonWire.Exchanges, e => Assert.DoesNotContain("protobuf", (e.Accept ?? "") + e.RequestContentType + e.ResponseContentType, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deployments_ProtobufRoundTrip_UsesProtobufAndMatchesJson()
    {
        var (pb, pbWire, json, _) = Clients();
        using var a = pb;
        using var b = json;
        var ns = await fx.NamespaceAsync(json);
        var deployments = pb.AppsV1().Deployments(ns);
        var jsonDeployments = json.AppsV1().Deployments(ns);

        var created = await deployments.CreateAsync(TestObjects.Deployment("web", 2));
        Assert.Equal(2, created.Spec.Replicas);
        Assert.Equal(1, created.Metadata.Generation);
        AssertSame(created, await jsonDeployments.GetAsync("web"));
        var dup = await Assert.ThrowsAsync<KubernetesApiException>(() => deployments.CreateAsync(TestObjects.Deployment("web")));
        Assert.True(dup.IsAlreadyExists);

        var got = await deployments.GetAsync("web");
        AssertSame(await jsonDeployments.GetAsync("web"), got);
        AssertSame(await jsonDeployments.ListAsync(), await deployments.ListAsync());

        got.Spec.Replicas = 3;
        var updated = await deployments.UpdateAsync(got);
        Assert.Equal(3, updated.Spec.Replicas);
        Assert.Equal(2, updated.Metadata.Generation);
        AssertSame(updated, await jsonDeployments.GetAsync("web"));

        await deployments.DeleteAsync("web");
        Assert.True((await Assert.ThrowsAsync<KubernetesApiException>(() => deployments.GetAsync("web"))).IsNotFound);

        var w = pbWire.Exchanges.Where(e => e.Path.Contains("/deployments", StringComparison.Ordinal)).ToList();
        Assert.All(w.Where(e => e.Method is "POST" or "PUT"), e => Assert.Equal(Protobuf, e.RequestContentType));
        Assert.All(w, e => Assert.Equal(Protobuf, e.ResponseContentType));
    }

    [Fact]
    public async Task ConfigMaps_ProtobufWatch_YieldsSameEventsAsJson()
    {
        var (pb, pbWire, json, _) = Clients();
        using var a = pb;
        using var b = json;
        var ns = await fx.NamespaceAsync(json);
        var cms = pb.CoreV1().ConfigMaps(ns);
        var jsonCms = json.CoreV1().ConfigMaps(ns);
        var list = await cms.ListAsync();
        AssertSame(await jsonCms.ListAsync(new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }), list);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var options = new ListOptions { ResourceVersion = list.Metadata.ResourceVersion };
        var pbEvents = Collect(cms.WatchAsync(options, cts.Token), 3);
        var jsonEvents = Collect(jsonCms.WatchAsync(options, cts.Token), 3);

        var created = await cms.CreateAsync(TestObjects.ConfigMap("c1", "v1"));
        created.Data["k"] = "v2";
        var updated = await cms.UpdateAsync(created);
        Assert.Equal("v2", updated.Data["k"]);
        AssertSame(updated, await cms.GetAsync("c1"));
        await cms.DeleteAsync("c1");

        var got = await pbEvents;
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], got.Select(e => e.Type));
        Assert.Equal("v2", got[1].Object.Data["k"]);
        Assert.Equal(updated.Metadata.ResourceVersion, got[1].Object.Metadata.ResourceVersion);
        var expected = await jsonEvents;
        Assert.Equal(expected.Select(e => e.Type), got.Select(e => e.Type));
        for (var i = 0; i < got.Count; i++)
        {
            AssertSame(expected[i].Object, got[i].Object);
        }

        var watch = Assert.Single(pbWire.Exchanges, e => e.Path.EndsWith("/configmaps", StringComparison.Ordinal) && e.ResponseContentType!.Contains("stream=watch", StringComparison.Ordinal));
        Assert.Equal(RestRequest.ProtobufAccept, watch.Accept);
        Assert.StartsWith(Protobuf, watch.ResponseContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomKind_ProtobufConfig_FallsBackToJson()
    {
        var (pb, pbWire, json, _) = Clients();
        using var a = pb;
        using var b = json;
        var ns = await fx.NamespaceAsync(json);
        var widgets = pb.Resource<Widget, WidgetList>(ns);

        // The server serves no widgets: the point is how the client asked, and that the JSON Status still decodes.
        var notFound = await Assert.ThrowsAsync<KubernetesApiException>(() => widgets.GetAsync("w1"));
        Assert.True(notFound.IsNotFound);
        var createFailed = await Assert.ThrowsAsync<KubernetesApiException>(() => widgets.CreateAsync(new Widget { Metadata = new() { Name = "w1" } }));
        Assert.True(createFailed.IsNotFound);

        var w = pbWire.Exchanges.Where(e => e.Path.Contains("/widgets", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, w.Count);
        Assert.All(w, e => Assert.Equal("application/json", e.Accept));
        Assert.StartsWith("application/json", Assert.Single(w, e => e.Method == "POST").RequestContentType, StringComparison.Ordinal);
        Assert.All(w, e => Assert.DoesNotContain("protobuf", e.ResponseContentType ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RestRequest_PreferProtobufWithJsonConfig_StaysJson()
    {
        var wire = new WireRecorder();
        using var cs = new Clientset(fx.Config(wire.Wrap) with { ContentType = WireFormat.Json });
        var ns = await fx.NamespaceAsync(cs);
        var req = cs.Rest.Get().Namespace(ns).Resource("pods").PreferProtobuf("v1", "Pod");
        Assert.False(req.UsesProtobuf);
        var result = await req.DoAsync();
        Assert.Equal("application/json", result.ContentType);
        Assert.Empty(result.Into<V1PodList>().Items);
        Assert.Equal("application/json", Assert.Single(wire.Exchanges, e => e.Path.EndsWith("/pods", StringComparison.Ordinal)).Accept);
    }

    [Fact]
    public async Task RestResult_ProtobufResponse_IntoJsonObjectHasTypeMeta()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        await cs.CoreV1().ConfigMaps(ns).CreateAsync(TestObjects.ConfigMap("c1"));
        var result = await cs.Rest.Get().Namespace(ns).Resource("configmaps").Name("c1").PreferProtobuf("v1", "ConfigMap").DoAsync();
        Assert.Equal(Protobuf, result.ContentType);
        var obj = result.Into<System.Text.Json.Nodes.JsonObject>();
        Assert.Equal("ConfigMap", obj["kind"]!.GetValue<string>());
        Assert.Equal("v1", obj["apiVersion"]!.GetValue<string>());
        Assert.Equal("v0", obj["data"]!["k"]!.GetValue<string>());
    }

    private (Clientset Pb, WireRecorder PbWire, Clientset Json, WireRecorder JsonWire) Clients()
    {
        var pbWire = new WireRecorder();
        var jsonWire = new WireRecorder();
        return (new Clientset(fx.Config(pbWire.Wrap)), pbWire, new Clientset(fx.Config(jsonWire.Wrap) with { ContentType = WireFormat.Json }), jsonWire);
    }

    private static void AssertSame<T>(T expected, T actual)
        => Assert.Equal(Normalize(expected), Normalize(actual));

    // List items carry no apiVersion/kind in protobuf (they are embedded messages, as upstream serves them); Skiff's
    // JSON lists repeat them per item. Everything else must be identical.
    private static string Normalize<T>(T value)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(value, KubernetesSerialization.Options)!.AsObject();
        if (node["items"] is System.Text.Json.Nodes.JsonArray items)
        {
            foreach (var item in items.OfType<System.Text.Json.Nodes.JsonObject>())
            {
                item.Remove("apiVersion");
                item.Remove("kind");
            }
        }

        return node.ToJsonString();
    }

    private static async Task<List<WatchEvent<T>>> Collect<T>(IAsyncEnumerable<WatchEvent<T>> events, int count)
    {
        var got = new List<WatchEvent<T>>();
        await foreach (var e in events)
        {
            got.Add(e);
            if (got.Count == count)
            {
                break;
            }
        }

        return got;
    }
}
