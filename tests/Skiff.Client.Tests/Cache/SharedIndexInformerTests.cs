using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Cache;
using Skiff.Client.Tests.Testing;
using Skiff.Testing.Fakes;
using Xunit;
using static Skiff.Client.Tests.Testing.TestPods;

namespace Skiff.Client.Tests.Cache;

public sealed class SharedIndexInformerTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _cts = new();
    private readonly FakeListerWatcher<V1Pod> _server = new();
    private readonly FakeTimeProvider _time = new();
    private Task _run = Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _run.WaitAsync(Deadline);
        _cts.Dispose();
    }

    private async Task<SharedIndexInformer<V1Pod>> StartAsync(TimeSpan resync = default, params IResourceEventHandler<V1Pod>[] handlers)
    {
        var informer = new SharedIndexInformer<V1Pod>(_server, new SharedInformerOptions { ResyncPeriod = resync, TimeProvider = _time });
        foreach (var h in handlers)
        {
            informer.AddEventHandler(h);
        }

        _run = informer.RunAsync(_cts.Token);
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        await _server.WaitForWatchAsync(Deadline);
        return informer;
    }

    [Fact]
    public async Task Run_InitialListThenWatch_HandlersSeeEachKeysHistoryInOrder()
    {
        _server.Add(Pod("a"));
        _server.Add(Pod("b"));
        var h = new RecordingHandler();
        var informer = await StartAsync(default, h);
        Assert.True(informer.HasSynced);
        Assert.Equal("2", _server.Watches[0].ResourceVersion);
        Assert.True(_server.Watches[0].AllowWatchBookmarks);

        _server.Write(Pod("a"), WatchEventType.Modified);
        _server.Add(Pod("c"));
        _server.Write(Pod("a"), WatchEventType.Deleted);
        await h.WaitForCountAsync(5);
        // Per key, the history is in order; across keys the FIFO groups a key's pending changes together.
        Assert.Equal(["add(initial) a@1", "update a@1->a@3", "delete a@5"], h.Events.Where(e => e.Contains(" a@", StringComparison.Ordinal)));
        Assert.Equal(["add c@4", "add(initial) a@1", "add(initial) b@2", "delete a@5", "update a@1->a@3"], h.Events.Order(StringComparer.Ordinal));
        Assert.Equal(["default/b", "default/c"], informer.Indexer.ListKeys().Order());
        Assert.Equal("5", informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task Run_WatchEndsNormally_RewatchesFromLastVersionWithoutRelist()
    {
        var h = new RecordingHandler();
        var informer = await StartAsync(default, h);
        _server.Add(Pod("a"));
        _server.Bookmark();
        await h.WaitForCountAsync(1);
        _server.EndWatch();
        await _server.WaitForWatchAsync(Deadline);
        Assert.Single(_server.Lists);
        Assert.Equal("2", _server.Watches[1].ResourceVersion);
        _server.Add(Pod("b"));
        await h.WaitForCountAsync(2);
        Assert.Equal(["add a@1", "add b@3"], h.Events);
        _ = informer;
    }

    [Fact]
    public async Task Run_WatchExpired_RelistsAndInfersMissedDeletesAndUpdates()
    {
        _server.Add(Pod("a"));
        _server.Add(Pod("b"));
        var h = new RecordingHandler();
        var informer = await StartAsync(default, h);
        await h.WaitForCountAsync(2);

        // Changes the watch never delivers (as if they were compacted away), then 410.
        _server.Write(Pod("a"), WatchEventType.Deleted, silently: true);
        _server.Write(Pod("b"), WatchEventType.Modified, silently: true);
        _server.Write(Pod("c"), WatchEventType.Added, silently: true);
        _server.ExpireWatch();
        await _server.WaitForWatchAsync(Deadline);
        await h.WaitForCountAsync(5);

        Assert.Equal(2, _server.Lists.Count);
        Assert.Equal("5", _server.Watches[1].ResourceVersion);
        Assert.Equal(["add(initial) a@1", "add(initial) b@2"], h.Events.Take(2));
        Assert.Equal(["add c@5", "delete? a@1", "update b@2->b@4"], h.Events.Skip(2).Order());
        Assert.Equal(["default/b", "default/c"], informer.Indexer.ListKeys().Order());
    }

    [Fact]
    public async Task Run_ResyncPeriod_RedeliversCachedObjectsAsUpdates()
    {
        _server.Add(Pod("a"));
        var h = new RecordingHandler();
        await StartAsync(TimeSpan.FromMinutes(1), h);
        await h.WaitForCountAsync(1);
        _time.Advance(TimeSpan.FromMinutes(1));
        await h.WaitForCountAsync(2);
        Assert.Equal(["add(initial) a@1", "update a@1->a@1"], h.Events);
    }

    [Fact]
    public async Task AddEventHandler_AfterSync_GetsCachedObjectsThenChanges()
    {
        _server.Add(Pod("a"));
        var informer = await StartAsync();
        var late = new RecordingHandler();
        var reg = informer.AddEventHandler(late);
        await late.WaitForCountAsync(1);
        _server.Add(Pod("b"));
        await late.WaitForCountAsync(2);
        Assert.Equal(["add(initial) a@1", "add b@2"], late.Events);
        Assert.True(reg.HasSynced);
    }

    [Fact]
    public async Task Handler_Throws_OtherHandlersAndLaterEventsUnaffected()
    {
        var good = new RecordingHandler();
        var bad = new ResourceEventHandler<V1Pod>(onAdd: (_, _) => throw new InvalidOperationException("boom"));
        await StartAsync(default, bad, good);
        _server.Add(Pod("a"));
        _server.Add(Pod("b"));
        await good.WaitForCountAsync(2);
        Assert.Equal(["add a@1", "add b@2"], good.Events);
    }

    [Fact]
    public async Task Run_ConcurrentWrites_EachKeysHistoryInOrderWithoutDuplicates()
    {
        var h = new RecordingHandler();
        await StartAsync(default, h);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                _server.Write(Pod($"p{w}"), i == 0 ? WatchEventType.Added : WatchEventType.Modified);
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(Deadline);
        await h.WaitForCountAsync(200);
        foreach (var w in Enumerable.Range(0, 4))
        {
            var versions = h.Events.Where(e => e.Contains($" p{w}@", StringComparison.Ordinal) || e.StartsWith($"add p{w}@", StringComparison.Ordinal))
                .Select(e => long.Parse(e[(e.LastIndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(50, versions.Count);
            Assert.Equal(versions.Order(), versions);
            Assert.Equal(50, versions.Distinct().Count());
        }
    }
}
