using System.Text;
using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Testing;
using Xunit;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>Behaviour specific to the watch cache: what it serves from memory, how it waits, fans out and recovers.</summary>
public sealed class CachingStorageTests : IAsyncLifetime
{
    private const string P = "/registry/pods/";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private InstrumentedStorage _inner = null!;
    private CachingStorage _cache = null!;

    public Task InitializeAsync() => StartAsync(new CachingStorageOptions { Prefixes = [P] });

    public async Task DisposeAsync() => await _cache.DisposeAsync();

    [Fact]
    public async Task ListNotOlderThanZero_CacheCurrent_ServedWithoutTouchingInnerStore()
    {
        await _cache.CreateAsync(P + "a", B("1"), Ct);
        await _cache.CreateAsync(P + "b", B("2"), Ct);
        var last = await _cache.CreateAsync(P + "c", B("3"), Ct);
        await _cache.ListAsync(P, new ListOptions { NotOlderThan = last.ModRevision }, Ct); // the cache has them all now
        var (lists, gets, watches, revisions) = (_inner.Lists, _inner.Gets, _inner.Watches, _inner.CurrentRevisionCalls);

        for (var i = 0; i < 5; i++)
        {
            var list = await _cache.ListAsync(P, new ListOptions { NotOlderThan = 0 }, Ct);
            Assert.Equal(new[] { P + "a", P + "b", P + "c" }, list.Items.Select(k => k.Key));
            Assert.True(list.Revision >= last.ModRevision);
        }

        Assert.Equal((lists, gets, watches, revisions), (_inner.Lists, _inner.Gets, _inner.Watches, _inner.CurrentRevisionCalls));
    }

    [Fact]
    public async Task ListNotOlderThanZero_ServesTheStoredValueInstances()
    {
        var created = await _cache.CreateAsync(P + "a", B("bytes"), Ct);
        var list = await _cache.ListAsync(P, new ListOptions { NotOlderThan = created.ModRevision }, Ct);
        var inner = await _inner.GetAsync(P + "a", 0, Ct);
        Assert.Same(inner, Assert.Single(list.Items)); // never copied or re-serialized
    }

    [Fact]
    public async Task ListLatest_EventsHeldBack_WaitsForCatchUpAndServesFromCache()
    {
        await _cache.CreateAsync(P + "a", B("1"), Ct);
        await _cache.ListAsync(P, ListOptions.Latest, Ct);
        var lists = _inner.Lists;
        _inner.HoldEvents();
        var b = await _cache.CreateAsync(P + "b", B("2"), Ct);

        var read = _cache.ListAsync(P, ListOptions.Latest, Ct);
        Assert.False(read.IsCompleted); // it cannot answer before the cache has seen b
        _inner.ReleaseEvents();
        var list = await read.WaitAsync(WatchProbe.Deadline);

        Assert.Equal(new[] { P + "a", P + "b" }, list.Items.Select(k => k.Key));
        Assert.True(list.Revision >= b.ModRevision);
        Assert.Equal(lists, _inner.Lists);
    }

    [Fact]
    public async Task ListLatest_CacheCannotCatchUpInTime_ReadsInnerStore()
    {
        await RestartAsync(new CachingStorageOptions { Prefixes = [P], ConsistentReadTimeout = TimeSpan.FromMilliseconds(200) });
        _inner.HoldEvents();
        await _cache.CreateAsync(P + "a", B("1"), Ct);
        var lists = _inner.Lists;

        var list = await _cache.ListAsync(P, ListOptions.Latest, Ct);

        Assert.Equal(P + "a", Assert.Single(list.Items).Key);
        Assert.Equal(lists + 1, _inner.Lists);
        _inner.ReleaseEvents();
    }

    [Fact]
    public async Task ListLatest_ConsistentListFromCacheOff_ReadsInnerStoreButNotOlderThanStaysInMemory()
    {
        await RestartAsync(new CachingStorageOptions { Prefixes = [P], ConsistentListFromCache = false });
        var created = await _cache.CreateAsync(P + "a", B("1"), Ct);
        await _cache.ListAsync(P, new ListOptions { NotOlderThan = created.ModRevision }, Ct); // the cache has it now
        var lists = _inner.Lists;

        var latest = await _cache.ListAsync(P, ListOptions.Latest, Ct);
        Assert.Equal(lists + 1, _inner.Lists);
        await _cache.ListAsync(P, new ListOptions { NotOlderThan = 0 }, Ct);
        Assert.Equal(lists + 1, _inner.Lists);

        _cache.ConsistentListFromCache = true; // the gate switched on at run time: latest lists come from memory again
        var cached = await _cache.ListAsync(P, ListOptions.Latest, Ct);

        Assert.Equal(lists + 1, _inner.Lists);
        Assert.Equal(P + "a", Assert.Single(latest.Items).Key);
        Assert.Equal(latest.Items.Select(k => k.Key), cached.Items.Select(k => k.Key));
    }

    [Fact]
    public async Task ListLatest_WritesUnderOtherPrefixes_StillServedFromCacheAtStoreRevision()
    {
        await _cache.CreateAsync(P + "a", B("1"), Ct);
        await _cache.ListAsync(P, ListOptions.Latest, Ct);
        var lists = _inner.Lists;
        var other = await _cache.CreateAsync("/registry/leases/x", B("x"), Ct);

        var list = await _cache.ListAsync(P, ListOptions.Latest, Ct);

        Assert.True(list.Revision >= other.ModRevision);
        Assert.Equal(lists, _inner.Lists);
    }

    [Fact]
    public async Task ListAtRevision_WithinEventWindow_ServedFromCache()
    {
        await _cache.CreateAsync(P + "a", B("a1"), Ct);
        var snapshot = (await _cache.CreateAsync(P + "b", B("b1"), Ct)).ModRevision;
        var a = await _cache.GetAsync(P + "a", 0, Ct);
        await _cache.CompareAndSwapAsync(P + "a", a!.ModRevision, B("a2"), Ct);
        await _cache.CompareAndDeleteAsync(P + "b", 0, Ct);
        await _cache.ListAsync(P, ListOptions.Latest, Ct);
        var lists = _inner.Lists;

        var old = await _cache.ListAsync(P, new ListOptions(Revision: snapshot), Ct);

        Assert.Equal(new[] { "a1", "b1" }, old.Items.Select(k => S(k.Value)));
        Assert.Equal(snapshot, old.Revision);
        Assert.Equal(lists, _inner.Lists);
    }

    [Fact]
    public async Task Watch_ManyWatchers_ShareOneInnerWatch()
    {
        var watchers = new List<WatchProbe>();
        for (var i = 0; i < 50; i++)
        {
            var w = WatchProbe.Start(_cache, P, new WatchOptions(0, ProgressNotify: true));
            Assert.Equal(StorageEventType.Progress, (await w.NextAsync()).Type);
            watchers.Add(w);
        }

        Assert.Equal(50, _cache.GetWatcherCount(P));
        var kv = await _cache.CreateAsync(P + "x", B("1"), Ct);
        foreach (var w in watchers)
        {
            Assert.Equal(kv.ModRevision, (await w.NextKeyEventAsync()).Revision);
            await w.DisposeAsync();
        }

        Assert.Equal(1, _inner.Watches);
        Assert.Equal(0, _cache.GetWatcherCount(P));
    }

    [Fact]
    public async Task Watch_SlowWatcher_IsCutOffWhileFastOneGetsEverything()
    {
        await RestartAsync(new CachingStorageOptions { Prefixes = [P], WatchBufferSize = 16 });
        using var stop = new CancellationTokenSource();
        await using var slow = _cache.WatchAsync(P, new WatchOptions(0, ProgressNotify: true), stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await slow.MoveNextAsync()); // registered; then it stops reading
        await using var fast = WatchProbe.Start(_cache, P, new WatchOptions(0, ProgressNotify: true));
        await fast.NextAsync();

        var written = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            written.Add((await _cache.CreateAsync($"{P}k{i:D2}", B("v"), Ct)).ModRevision);
            Assert.Equal(written[^1], (await fast.NextKeyEventAsync()).Revision); // the fast one keeps up
        }

        var got = new List<long>();
        var lagged = await Assert.ThrowsAsync<WatchLaggedException>(async () =>
        {
            while (await slow.MoveNextAsync())
            {
                got.Add(slow.Current.Revision);
            }
        });
        Assert.Equal(written.Take(16), got);
        Assert.Equal(written[15], lagged.LastDeliveredRevision);

        // It resumes from its last revision through the cache's event ring.
        await using var resumed = WatchProbe.Start(_cache, P, new WatchOptions(lagged.LastDeliveredRevision));
        Assert.Equal(written[16], (await resumed.NextKeyEventAsync()).Revision);
    }

    [Fact]
    public async Task Watch_BufferFullButWatcherMakesRoomWithinBudget_KeepsEveryEventInOrder()
    {
        var time = await RestartWithTwoEventBuffersAsync();
        time.Advance(TimeSpan.FromSeconds(2)); // the dispatch budget fills up to its 100 ms
        using var stop = new CancellationTokenSource();
        await using var slow = _cache.WatchAsync(P, new WatchOptions(0, ProgressNotify: true), stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await slow.MoveNextAsync()); // registered; it reads nothing more for now
        await using var fast = WatchProbe.Start(_cache, P, new WatchOptions(0, ProgressNotify: true));
        await fast.NextAsync();

        // Once the fast watcher has the third, the cache has delivered it: the dispatcher waits for room in the slow one
        // (the fake clock never runs the budget out).
        var written = await CreateThreeAsync(fast);
        var got = new List<long>();
        while (got.Count < written.Count && await slow.MoveNextAsync())
        {
            if (slow.Current.Type != StorageEventType.Progress)
            {
                got.Add(slow.Current.Revision);
            }
        }

        Assert.Equal(written, got);
        Assert.Equal(2, _cache.GetWatcherCount(P)); // both still watching
    }

    [Fact]
    public async Task Watch_BufferStillFullWithNoBudgetLeft_CutOffAfterItsBufferAndResumes()
    {
        _ = await RestartWithTwoEventBuffersAsync();

        // The fake clock stands still: the budget stays empty, so the dispatcher cannot wait for anyone.
        using var stop = new CancellationTokenSource();
        await using var slow = _cache.WatchAsync(P, new WatchOptions(0, ProgressNotify: true), stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await slow.MoveNextAsync());
        await using var fast = WatchProbe.Start(_cache, P, new WatchOptions(0, ProgressNotify: true));
        await fast.NextAsync();
        var written = await CreateThreeAsync(fast);

        var got = new List<long>();
        var lagged = await Assert.ThrowsAsync<WatchLaggedException>(async () =>
        {
            while (await slow.MoveNextAsync())
            {
                if (slow.Current.Type != StorageEventType.Progress)
                {
                    got.Add(slow.Current.Revision);
                }
            }
        });
        Assert.Equal(written.Take(2), got); // what its buffer held
        Assert.Equal(written[1], lagged.LastDeliveredRevision);
        Assert.Equal(1, _cache.GetWatcherCount(P)); // only the fast one

        // It resumes from its last revision through the cache's event ring.
        await using var resumed = WatchProbe.Start(_cache, P, new WatchOptions(lagged.LastDeliveredRevision));
        Assert.Equal(written[2], (await resumed.NextKeyEventAsync()).Revision);
    }

    [Fact]
    public async Task Watch_RevisionOlderThanEventWindow_ThrowsRevisionCompacted()
    {
        await RestartAsync(new CachingStorageOptions { Prefixes = [P], EventHistory = 4 });
        var first = await _cache.CreateAsync(P + "a0", B("v"), Ct);
        KeyValue last = first;
        for (var i = 1; i < 10; i++)
        {
            last = await _cache.CreateAsync($"{P}a{i}", B("v"), Ct);
        }

        await _cache.ListAsync(P, new ListOptions { NotOlderThan = last.ModRevision }, Ct);
        var watches = _inner.Watches;
        await using var w = WatchProbe.Start(_cache, P, new WatchOptions(first.ModRevision));
        Assert.IsType<RevisionCompactedException>(await w.WaitForEndAsync());
        Assert.Equal(watches, _inner.Watches); // it never went to the inner store
    }

    [Fact]
    public async Task InnerWatchFails_RevisionCompactedMeanwhile_RelistsAndEndsWatchersItCannotContinue()
    {
        var a = await _cache.CreateAsync(P + "a", B("1"), Ct);
        await using var old = WatchProbe.Start(_cache, P, new WatchOptions(a.ModRevision));
        await _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct);
        var lists = _inner.Lists;

        _inner.HoldNewWatches();
        _inner.BreakWatches(new StorageUnavailableException("backend restarted"));
        var b = await _cache.CreateAsync(P + "b", B("2"), Ct);
        await _inner.CompactAsync(b.ModRevision, Ct); // behind the cache's back: its revision is gone
        _inner.ReleaseNewWatches();

        Assert.IsType<RevisionCompactedException>(await old.WaitForEndAsync());
        Assert.Equal(lists + 1, _inner.Lists);
        var list = await _cache.ListAsync(P, new ListOptions { NotOlderThan = b.ModRevision }, Ct);
        Assert.Equal(new[] { P + "a", P + "b" }, list.Items.Select(k => k.Key));

        await using var fresh = WatchProbe.Start(_cache, P, new WatchOptions(list.Revision));
        var c = await _cache.CreateAsync(P + "c", B("3"), Ct);
        Assert.Equal(c.ModRevision, (await fresh.NextKeyEventAsync()).Revision);
    }

    [Fact]
    public async Task InnerWatchLagged_ResumesWithoutRelistAndWatchersContinue()
    {
        var a = await _cache.CreateAsync(P + "a", B("1"), Ct);
        await using var w = WatchProbe.Start(_cache, P, new WatchOptions(a.ModRevision));
        await _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct);
        var lists = _inner.Lists;

        _inner.HoldNewWatches();
        _inner.BreakWatches(new WatchLaggedException(a.ModRevision));
        var b = await _cache.CreateAsync(P + "b", B("2"), Ct);
        _inner.ReleaseNewWatches();

        Assert.Equal(b.ModRevision, (await w.NextKeyEventAsync()).Revision);
        var c = await _cache.CreateAsync(P + "c", B("3"), Ct);
        Assert.Equal(c.ModRevision, (await w.NextKeyEventAsync()).Revision);
        Assert.Equal(lists, _inner.Lists);
    }

    [Fact]
    public async Task Watch_InnerProgress_ForwardedToWatchersThatAskedForIt()
    {
        await RestartAsync(
            new CachingStorageOptions { Prefixes = [P], ProgressInterval = Timeout.InfiniteTimeSpan },
            new MemoryStorageOptions { ProgressInterval = TimeSpan.FromMilliseconds(20) });
        await using var w = WatchProbe.Start(_cache, P, new WatchOptions(0, ProgressNotify: true));
        await w.NextAsync();
        var other = await _cache.CreateAsync("/registry/nodes/n1", B("x"), Ct);

        while (true)
        {
            var e = await w.NextAsync();
            Assert.Equal(StorageEventType.Progress, e.Type);
            if (e.Revision >= other.ModRevision)
            {
                break;
            }
        }
    }

    [Fact]
    public async Task UncachedPrefix_PassesThroughToInnerStore()
    {
        await _cache.CreateAsync("/registry/nodes/n1", B("x"), Ct);
        var (lists, watches) = (_inner.Lists, _inner.Watches);

        var list = await _cache.ListAsync("/registry/nodes/", new ListOptions { NotOlderThan = 0 }, Ct);
        await using var w = WatchProbe.Start(_cache, "/registry/", new WatchOptions(0, ProgressNotify: true));
        await w.NextAsync();

        Assert.Single(list.Items);
        Assert.Equal((lists + 1, watches + 1), (_inner.Lists, _inner.Watches));
        Assert.Null(_cache.GetCachedRevision("/registry/nodes/"));
    }

    [Fact]
    public async Task Dispose_EndsWatchersAndRefusesCalls()
    {
        await using var w = WatchProbe.Start(_cache, P, new WatchOptions(0, ProgressNotify: true));
        await w.NextAsync();
        await _cache.DisposeAsync();
        Assert.Null(await w.WaitForEndAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _cache.ListAsync(P, ListOptions.Latest, Ct));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlyMemory<byte> v) => Encoding.UTF8.GetString(v.Span);

    private async Task StartAsync(CachingStorageOptions options, MemoryStorageOptions? memory = null)
    {
        _inner = new InstrumentedStorage(new MemoryStorage(memory));
        await _inner.CreateAsync("/registry/namespaces/default", B("ns"), Ct); // a used store: its revision is not 0
        _cache = new CachingStorage(_inner, options);
        await _cache.StartAsync(Ct);
    }

    /// <summary>A cache on a fake clock with two-event watcher buffers and no progress events anywhere (none takes a slot).</summary>
    private async Task<FakeTimeProvider> RestartWithTwoEventBuffersAsync()
    {
        var time = new FakeTimeProvider();
        await RestartAsync(
            new CachingStorageOptions { Prefixes = [P], WatchBufferSize = 2, TimeProvider = time, ProgressInterval = Timeout.InfiniteTimeSpan },
            new MemoryStorageOptions { ProgressInterval = Timeout.InfiniteTimeSpan });
        return time;
    }

    /// <summary>Creates three keys, each received by <paramref name="fast"/> before the next (its buffer never fills).</summary>
    private async Task<List<long>> CreateThreeAsync(WatchProbe fast)
    {
        var written = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            written.Add((await _cache.CreateAsync($"{P}k{i}", B("v"), Ct)).ModRevision);
            Assert.Equal(written[^1], (await fast.NextKeyEventAsync()).Revision);
        }

        return written;
    }

    private async Task RestartAsync(CachingStorageOptions options, MemoryStorageOptions? memory = null)
    {
        await _cache.DisposeAsync();
        await StartAsync(options, memory);
    }
}
