using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>Lists, watches and gets served from the watch cache's stored bytes (resourceVersion spliced, nothing re-encoded).</summary>
public sealed class StoredBytesTests : IAsyncLifetime
{
    private TestControlPlane _cp = null!;

    public async Task InitializeAsync() => _cp = await TestControlPlane.StartAsync(configure: o => o with { WatchCache = true });

    public async Task DisposeAsync() => await _cp.DisposeAsync();

    [Fact]
    public async Task List_StoredBytes_ItemsCarryTheirOwnResourceVersionAndNoTypeMeta_SelectorsApply()
    {
        var ns = await NamespaceAsync();
        var rvs = new Dictionary<string, string>();
        foreach (var (name, app) in new[] { ("a", "x"), ("b", "y"), ("c", "x") })
        {
            rvs[name] = await CreateAsync(ns, name, app);
        }

        foreach (var query in new[] { "resourceVersion=0", "", $"resourceVersion={rvs["c"]}", "limit=2" })
        {
            var (status, list, response) = await _cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?{query}");
            Assert.Equal(200, status);
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("ConfigMapList", list!["kind"]!.GetValue<string>());
            var items = list["items"]!.AsArray();
            Assert.Equal(query == "limit=2" ? 2 : 3, items.Count);
            foreach (var item in items)
            {
                Assert.Null(item!["kind"]);
                Assert.Null(item["apiVersion"]);
                Assert.Equal(rvs[item["metadata"]!["name"]!.GetValue<string>()], item["metadata"]!["resourceVersion"]!.GetValue<string>());
            }
        }

        var (_, selected, _) = await _cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?resourceVersion=0&labelSelector=app%3Dx&fieldSelector=metadata.name!%3Da");
        Assert.Equal(["c"], selected!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Watch_StoredBytes_ObjectLeavingTheSelectorIsDeletedAtTheEventRevision()
    {
        var ns = await NamespaceAsync();
        var rv = await CreateAsync(ns, "a", "x");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(_cp.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&labelSelector=app%3Dx&resourceVersion={rv}", cts.Token);
        await CreateAsync(ns, "b", "y"); // never matches: nothing is sent
        var (_, updated, _) = await _cp.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/a", Cm(ns, "a", "y", rv));
        var added = await CreateAsync(ns, "c", "x");

        var left = await watch.NextAsync(cts.Token);
        Assert.Equal("DELETED", left["type"]!.GetValue<string>());
        Assert.Equal("x", left["object"]!["metadata"]!["labels"]!["app"]!.GetValue<string>()); // the last matching state
        Assert.Equal(updated!["metadata"]!["resourceVersion"]!.GetValue<string>(), left["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("ConfigMap", left["object"]!["kind"]!.GetValue<string>());
        var next = await watch.NextAsync(cts.Token);
        Assert.Equal(("ADDED", "c", added), (next["type"]!.GetValue<string>(), next["object"]!["metadata"]!["name"]!.GetValue<string>(),
            next["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ListAndWatch_Protobuf_TranscodedFromStoredBytes()
    {
        var ns = await NamespaceAsync();
        var rv = await CreateAsync(ns, "a", "x");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?resourceVersion=0");
        request.Headers.Accept.ParseAdd("application/vnd.kubernetes.protobuf");
        using var response = await _cp.Client.SendAsync(request);
        Assert.Equal("application/vnd.kubernetes.protobuf", response.Content.Headers.ContentType!.MediaType);
        var list = Skiff.Api.Protobuf.ProtobufCodec.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal((rv, "x"), (item["metadata"]!["resourceVersion"]!.GetValue<string>(), item["metadata"]!["labels"]!["app"]!.GetValue<string>()));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watchRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}");
        watchRequest.Headers.Accept.ParseAdd("application/vnd.kubernetes.protobuf;stream=watch");
        using var watch = await _cp.Client.SendAsync(watchRequest, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await using var stream = await watch.Content.ReadAsStreamAsync(cts.Token);
        var added = await CreateAsync(ns, "b", "y");
        var ev = (await Skiff.Api.Protobuf.ProtobufWatch.ReadEventAsync(stream, cts.Token))!;
        Assert.Equal("ADDED", ev.Type);
        var obj = ev.Object;
        Assert.Equal(("b", added), (obj["metadata"]!["name"]!.GetValue<string>(), obj["metadata"]!["resourceVersion"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Get_ResourceVersionZero_ServedFromCache()
    {
        var ns = await NamespaceAsync();
        var rv = await CreateAsync(ns, "a", "x");
        var (status, got, _) = await _cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/a?resourceVersion=0");
        Assert.Equal(200, status);
        Assert.Equal(rv, got!["metadata"]!["resourceVersion"]!.GetValue<string>());
        var (missing, body, _) = await _cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/none?resourceVersion=0");
        Assert.Equal(404, missing);
        Assert.Equal("NotFound", body!["reason"]!.GetValue<string>());
        var (tooLarge, status504, _) = await _cp.SendAsync(HttpMethod.Get,
            $"/api/v1/namespaces/{ns}/configmaps?resourceVersion={long.Parse(rv, CultureInfo.InvariantCulture) + 1_000_000}");
        Assert.Equal(504, tooLarge);
        Assert.StartsWith("Too large resource version", status504!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<string> NamespaceAsync()
    {
        var ns = "sb-" + Guid.NewGuid().ToString("N")[..8];
        var (status, _, _) = await _cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces", JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""));
        Assert.Equal(201, status);
        return ns;
    }

    private async Task<string> CreateAsync(string ns, string name, string app)
    {
        var (status, created, _) = await _cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", Cm(ns, name, app, null));
        Assert.Equal(201, status);
        return created!["metadata"]!["resourceVersion"]!.GetValue<string>();
    }

    private static JsonNode Cm(string ns, string name, string app, string? rv)
    {
        var cm = JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{"app":"{{{app}}}"}},"data":{"k":"v"}}""")!;
        if (rv is not null)
        {
            cm["metadata"]!["resourceVersion"] = rv;
        }

        return cm;
    }
}
