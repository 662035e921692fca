using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

public sealed class ListWatchTableTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..8];
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        Assert.Equal(201, status);
        return name;
    }

    private async Task CreateCmAsync(string ns, string name, string? app = null)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = app is null ? null : new JsonObject { ["app"] = app } },
        };
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", obj);
        Assert.Equal(201, status);
    }

    [Fact]
    public async Task List_LabelSelector_ReturnsMatchesOnly()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "a", "web");
        await CreateCmAsync(ns, "b", "db");
        await CreateCmAsync(ns, "c");
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?labelSelector=app%20in%20(web,x)");
        Assert.Equal(["a"], body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        var (_, notBody, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?labelSelector=app!%3Dweb");
        Assert.Equal(["b", "c"], notBody!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal("ConfigMapList", body["kind"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["metadata"]!["resourceVersion"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_UnsupportedFieldSelector_Returns400()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/configmaps?fieldSelector=foo%3Dbar");
        Assert.Equal(400, status);
        Assert.Equal("field label not supported: foo", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_FieldSelectorName_Filters()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "a");
        await CreateCmAsync(ns, "b");
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name%3Db");
        Assert.Equal(["b"], body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_Limit_PagesWithContinueAtOneSnapshot()
    {
        var ns = await CreateNamespaceAsync();
        foreach (var n in new[] { "a", "b", "c", "d", "e" })
        {
            await CreateCmAsync(ns, n);
        }

        var names = new List<string>();
        var (_, page, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?limit=2");
        Assert.Equal(3, page!["metadata"]!["remainingItemCount"]!.GetValue<long>());
        var rv = page["metadata"]!["resourceVersion"]!.GetValue<string>();
        await CreateCmAsync(ns, "f");
        while (true)
        {
            names.AddRange(page!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            var token = page["metadata"]!["continue"]?.GetValue<string>();
            if (string.IsNullOrEmpty(token))
            {
                break;
            }

            Assert.Equal(rv, page["metadata"]!["resourceVersion"]!.GetValue<string>());
            (_, page, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?limit=2&continue={Uri.EscapeDataString(token)}");
        }

        Assert.Equal(["a", "b", "c", "d", "e"], names);
    }

    [Fact]
    public async Task List_ResourceVersionMatchWithoutVersion_Returns422()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/configmaps?resourceVersionMatch=Exact");
        Assert.Equal(422, status);
        Assert.Equal("ListOptions", body!["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_TableAccept_ReturnsTableWithPartialObjects()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "a");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?limit=500",
            accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        Assert.Equal(200, status);
        Assert.Equal("Table", body!["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", body["apiVersion"]!.GetValue<string>());
        Assert.Equal("Name", body["columnDefinitions"]![0]!["name"]!.GetValue<string>());
        var row = body["rows"]![0]!;
        Assert.Equal("a", row["cells"]![0]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_TableIncludeObjectNone_RowObjectNull()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "a");
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/a?includeObject=None",
            accept: "application/json;as=Table;v=v1;g=meta.k8s.io");
        Assert.Single(body!["rows"]!.AsArray());
        Assert.Null(body["rows"]![0]!["object"]);
    }

    [Fact]
    public async Task Watch_FromListResourceVersion_StreamsChangesAndSelectorTransitions()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "before", "web");
        var (_, list, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        var rv = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&labelSelector=app%3Dweb&resourceVersion={rv}", cts.Token);

        await CreateCmAsync(ns, "w1", "web");
        await CreateCmAsync(ns, "ignored", "db");
        await f.Cp.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/w1", JsonNode.Parse("{\"data\":{\"x\":\"1\"}}"), "application/merge-patch+json");
        await f.Cp.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/w1", JsonNode.Parse("{\"metadata\":{\"labels\":{\"app\":\"other\"}}}"), "application/merge-patch+json");
        await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/before");

        var (_, relabelled, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/w1");
        var events = new List<(string, string)>();
        var objects = new List<JsonNode>();
        for (var i = 0; i < 4; i++)
        {
            var ev = await watch.NextAsync(cts.Token);
            events.Add((ev["type"]!.GetValue<string>(), ev["object"]!["metadata"]!["name"]!.GetValue<string>()));
            Assert.Equal("ConfigMap", ev["object"]!["kind"]!.GetValue<string>());
            objects.Add(ev["object"]!);
        }

        Assert.Equal([("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1"), ("DELETED", "before")], events);

        // Leaving the selector: the object as it last matched, at the revision of the change (upstream's cacheWatcher).
        Assert.Equal("web", objects[2]["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal(relabelled!["metadata"]!["resourceVersion"]!.GetValue<string>(), objects[2]["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_NoResourceVersion_SendsSyntheticAddedFirst()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "existing");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=1", cts.Token);
        var ev = await watch.NextAsync(cts.Token);
        Assert.Equal("ADDED", ev["type"]!.GetValue<string>());
        Assert.Equal("existing", ev["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_SendInitialEvents_EndsInitialSetWithAnnotatedBookmark()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "one");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client,
            $"/api/v1/namespaces/{ns}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true", cts.Token);
        var first = await watch.NextAsync(cts.Token);
        Assert.Equal("ADDED", first["type"]!.GetValue<string>());
        var bookmark = await watch.NextAsync(cts.Token);
        Assert.Equal("BOOKMARK", bookmark["type"]!.GetValue<string>());
        Assert.Equal("true", bookmark["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>());
        Assert.Equal("ConfigMap", bookmark["object"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_AllowBookmarks_SendsPeriodicBookmark()
    {
        var ns = await CreateNamespaceAsync();
        var (_, list, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        var rv = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={rv}", cts.Token);
        var ev = await watch.NextAsync(cts.Token);
        Assert.Equal("BOOKMARK", ev["type"]!.GetValue<string>());
        Assert.True(long.Parse(ev["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>()) >= long.Parse(rv));
    }

    [Fact]
    public async Task Watch_TimeoutSeconds_EndsStream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1", cts.Token);
        Assert.True(await watch.EndsAsync(cts.Token));
    }

    [Fact]
    public async Task Watch_CompactedResourceVersion_SendsExpiredError()
    {
        var ns = await CreateNamespaceAsync();
        await CreateCmAsync(ns, "a");
        await CreateCmAsync(ns, "b");
        var current = await f.Cp.Host.Storage.GetCurrentRevisionAsync(CancellationToken.None);
        await f.Cp.Host.Storage.CompactAsync(current, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion=1", cts.Token);
        var ev = await watch.NextAsync(cts.Token);
        Assert.Equal("ERROR", ev["type"]!.GetValue<string>());
        Assert.Equal(410, ev["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", ev["object"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_TableAccept_SendsTableEventsHeadersOnce()
    {
        var ns = await CreateNamespaceAsync();
        var (_, list, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        var rv = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(f.Cp.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}", cts.Token,
            accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        await CreateCmAsync(ns, "t1");
        await CreateCmAsync(ns, "t2");
        var e1 = await watch.NextAsync(cts.Token);
        var e2 = await watch.NextAsync(cts.Token);
        Assert.Equal("Table", e1["object"]!["kind"]!.GetValue<string>());
        Assert.NotEmpty(e1["object"]!["columnDefinitions"]!.AsArray());
        Assert.Empty(e2["object"]!["columnDefinitions"]!.AsArray());
        Assert.Equal("t2", e2["object"]!["rows"]![0]!["cells"]![0]!.GetValue<string>());
    }
}
