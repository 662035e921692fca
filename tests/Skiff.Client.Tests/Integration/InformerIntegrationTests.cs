using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>Informers against the real in-process API server.</summary>
public sealed class InformerIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_runs).WaitAsync(Deadline);
        _stop.Dispose();
    }

    private async Task<SharedIndexInformer<V1ConfigMap>> RunAsync(Clientset cs, string ns, SharedInformerOptions? options = null, params IResourceEventHandler<V1ConfigMap>[] handlers)
    {
        var informer = new SharedIndexInformer<V1ConfigMap>(cs.CoreV1().ConfigMaps(ns), options);
        foreach (var h in handlers)
        {
            informer.AddEventHandler(h);
        }

        _runs.Add(informer.RunAsync(_stop.Token));
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        return informer;
    }

    [Fact]
    public async Task Informer_ConcurrentWriters_EachHandlerSeesEveryKeysHistoryInOrderWithoutDuplicates()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(TestObjects.ConfigMap("pre"));
        var h1 = new KeyedRecorder<V1ConfigMap>();
        var h2 = new KeyedRecorder<V1ConfigMap>();
        var informer = await RunAsync(cs, ns, null, h1, h2);
        var pre = (await cms.GetAsync("pre")).Metadata.ResourceVersion;

        // Four writers, three keys each: create, 12 updates, and a delete for every third key. Each writer records
        // the resourceVersion the server gave each of its writes: that is the key's history in the store.
        var expected = new ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        expected[$"{ns}/pre"] = [$"add {pre}"];
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var k = 0; k < 3; k++)
            {
                var name = $"w{w}-k{k}";
                var history = new List<string>();
                var cur = await cms.CreateAsync(TestObjects.ConfigMap(name));
                history.Add($"add {cur.Metadata.ResourceVersion}");
                for (var i = 1; i <= 12; i++)
                {
                    cur.Data["k"] = $"v{i}";
                    cur = await cms.UpdateAsync(cur);
                    history.Add($"update {cur.Metadata.ResourceVersion}");
                }

                if (k == 2)
                {
                    await cms.DeleteAsync(name);
                    history.Add("delete");
                }

                expected[$"{ns}/{name}"] = history;
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(Deadline);

        static string Strip(string e) => e.StartsWith("delete", StringComparison.Ordinal) ? e.Split(' ')[0] : e;
        bool Complete(IReadOnlyDictionary<string, List<string>> seen)
            => expected.All(kv => seen.TryGetValue(kv.Key, out var s) && s.Count >= kv.Value.Count);
        await h1.WaitAsync(Complete, Deadline);
        await h2.WaitAsync(Complete, Deadline);

        foreach (var h in new[] { h1, h2 })
        {
            var seen = h.Snapshot();
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, history) in expected)
            {
                Assert.Equal(history, seen[key].Select(Strip));
            }
        }

        // The cache equals the store.
        var list = await cms.ListAsync();
        Assert.Equal(
            list.Items.Select(i => $"{i.Metadata.Name}@{i.Metadata.ResourceVersion}").Order(StringComparer.Ordinal),
            informer.Indexer.List().Select(i => $"{i.Metadata.Name}@{i.Metadata.ResourceVersion}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Informer_ResyncPeriodElapses_HandlersGetEachCachedObjectAgain()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var a = await cms.CreateAsync(TestObjects.ConfigMap("a"));
        var b = await cms.CreateAsync(TestObjects.ConfigMap("b"));
        var time = new FakeTimeProvider();
        var h = new KeyedRecorder<V1ConfigMap>();
        await RunAsync(cs, ns, new SharedInformerOptions { ResyncPeriod = TimeSpan.FromMinutes(1), TimeProvider = time }, h);
        await h.WaitAsync(s => s.Count == 2, Deadline);

        time.Advance(TimeSpan.FromMinutes(1));
        await h.WaitAsync(s => s.Values.All(l => l.Count == 2), Deadline);
        Assert.Equal([$"add {a.Metadata.ResourceVersion}", $"sync {a.Metadata.ResourceVersion}"], h.History($"{ns}/a"));
        Assert.Equal([$"add {b.Metadata.ResourceVersion}", $"sync {b.Metadata.ResourceVersion}"], h.History($"{ns}/b"));

        time.Advance(TimeSpan.FromMinutes(1));
        await h.WaitAsync(s => s.Values.All(l => l.Count == 3), Deadline);
        Assert.All(h.Snapshot().Values, l => Assert.StartsWith("sync ", l[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Informer_CustomIndexer_TracksLabelChangesOnTheServer()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var informer = new SharedIndexInformer<V1ConfigMap>(cms);
        informer.Indexer.AddIndexers(new Dictionary<string, Func<V1ConfigMap, IEnumerable<string>>>
        {
            ["byApp"] = o => o.Metadata.Labels?.TryGetValue("app", out var v) == true ? [v] : [],
        });
        var h = new KeyedRecorder<V1ConfigMap>();
        informer.AddEventHandler(h);
        await cms.CreateAsync(TestObjects.ConfigMap("x1", labels: new Dictionary<string, string> { ["app"] = "x" }));
        _runs.Add(informer.RunAsync(_stop.Token));
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);

        await cms.CreateAsync(TestObjects.ConfigMap("x2", labels: new Dictionary<string, string> { ["app"] = "x" }));
        var y = await cms.CreateAsync(TestObjects.ConfigMap("y1", labels: new Dictionary<string, string> { ["app"] = "y" }));
        await h.WaitAsync(s => s.Count == 3, Deadline);
        Assert.Equal([$"{ns}/x1", $"{ns}/x2"], informer.Indexer.IndexKeys("byApp", "x").Order(StringComparer.Ordinal));
        Assert.Equal(["y1"], informer.Indexer.ByIndex("byApp", "y").Select(o => o.Metadata.Name));

        y.Metadata.Labels["app"] = "x";
        await cms.UpdateAsync(y);
        await cms.DeleteAsync("x1");
        await h.WaitAsync(s => s[$"{ns}/y1"].Count == 2 && s[$"{ns}/x1"].Count == 2, Deadline);
        Assert.Equal([$"{ns}/x2", $"{ns}/y1"], informer.Indexer.IndexKeys("byApp", "x").Order(StringComparer.Ordinal));
        Assert.Empty(informer.Indexer.ByIndex("byApp", "y"));
        Assert.Equal(2, informer.Lister.List(ns, new Dictionary<string, string> { ["app"] = "x" }).Count);
        Assert.Equal(2, informer.Indexer.ByIndex(Indexer<V1ConfigMap>.NamespaceIndex, ns).Count);
    }

    [Fact]
    public async Task Informer_LabelSelector_CachesOnlyMatchingObjectsAndSeesThemLeave()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var web = new Dictionary<string, string> { ["tier"] = "web" };
        await cms.CreateAsync(TestObjects.ConfigMap("a", labels: web));
        await cms.CreateAsync(TestObjects.ConfigMap("b", labels: new Dictionary<string, string> { ["tier"] = "db" }));
        var h = new KeyedRecorder<V1ConfigMap>();
        var informer = await RunAsync(cs, ns, new SharedInformerOptions { LabelSelector = "tier=web" }, h);
        Assert.Equal([$"{ns}/a"], informer.Indexer.ListKeys());

        await cms.CreateAsync(TestObjects.ConfigMap("c", labels: web));
        await cms.PatchAsync("a", Skiff.Client.Rest.PatchType.Merge, """{"metadata":{"labels":{"tier":"db"}}}""");
        await cms.PatchAsync("b", Skiff.Client.Rest.PatchType.Merge, """{"metadata":{"labels":{"tier":"web"}}}""");
        await h.WaitAsync(s => s.Count == 3 && s[$"{ns}/a"].Count == 2, Deadline);
        Assert.StartsWith("delete ", h.History($"{ns}/a")[1], StringComparison.Ordinal);
        Assert.Equal([$"{ns}/b", $"{ns}/c"], informer.Indexer.ListKeys().Order(StringComparer.Ordinal));
        Assert.Equal(["b", "c"], (await cms.ListAsync(new ListOptions { LabelSelector = "tier=web" })).Items.Select(i => i.Metadata.Name).Order(StringComparer.Ordinal));
    }
}
