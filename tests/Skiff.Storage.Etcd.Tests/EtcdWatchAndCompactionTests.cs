using System.Text;
using Xunit;

namespace Skiff.Storage.Etcd.Tests;

/// <summary>Watches, progress and compaction against a real etcd; each test owns its etcd (compaction is global).</summary>
public sealed class EtcdWatchAndCompactionTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private EtcdProcess? _etcd;
    private EtcdStorage? _store;

    private EtcdStorage Store => _store!;

    private static ReadOnlyMemory<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(KeyValue? kv) => kv is null ? "<null>" : Encoding.UTF8.GetString(kv.Value.Span);

    public async Task InitializeAsync()
    {
        _etcd = await EtcdProcess.StartAsync(CancellationToken.None);
        _store = await EtcdStorage.ConnectAsync(
            new EtcdOptions { Endpoints = [_etcd.ClientUrl], ProgressInterval = TimeSpan.FromMilliseconds(200) }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    [Fact]
    public async Task WatchAsync_FromRevision_ReplaysThenLive_WithPrevValues()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var a = await Store.CreateAsync("/w/a", B("1"), cts.Token);
        var a2 = await Store.CompareAndSwapAsync("/w/a", a.ModRevision, B("2"), cts.Token);
        await Store.CreateAsync("/other/x", B("x"), cts.Token);

        var events = new List<StorageEvent>();
        await using var watch = Store.WatchAsync("/w/", new WatchOptions(a.ModRevision - 1), cts.Token).GetAsyncEnumerator(cts.Token);
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await watch.MoveNextAsync());
            events.Add(watch.Current);
        }

        await Store.CompareAndDeleteAsync("/w/a", a2.Current!.ModRevision, cts.Token);
        Assert.True(await watch.MoveNextAsync());
        events.Add(watch.Current);

        Assert.Equal([StorageEventType.Added, StorageEventType.Modified, StorageEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(a.ModRevision, events[0].Revision);
        Assert.Equal("1", S(events[1].PrevKv));
        Assert.Equal("2", S(events[2].Kv));
        Assert.Equal(events[2].Revision, events[2].Kv!.ModRevision);
        Assert.Equal("2", S(events[2].PrevKv));
    }

    [Fact]
    public async Task WatchAsync_FromZero_DeliversOnlyLaterWrites()
    {
        using var cts = new CancellationTokenSource(Deadline);
        await Store.CreateAsync("/z/before", B("b"), cts.Token);
        await using var watch = Store.WatchAsync("/z/", new WatchOptions(), cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync();
        // The watch is established when the pump got the created response; a write after it must be seen. Writes before
        // establishment are also after the revision the watch started from, so the only event must be "after".
        await Store.CreateAsync("/z/after", B("a"), cts.Token);
        Assert.True(await next);
        Assert.Equal("/z/after", watch.Current.Kv!.Key);
    }

    [Fact]
    public async Task WatchAsync_ProgressNotify_YieldsProgressAtCurrentRevision()
    {
        using var cts = new CancellationTokenSource(Deadline);
        await Store.CreateAsync("/p/a", B("1"), cts.Token);
        var current = await Store.GetCurrentRevisionAsync(cts.Token);
        await foreach (var ev in Store.WatchAsync("/p/", new WatchOptions(current, ProgressNotify: true), cts.Token))
        {
            Assert.Equal(StorageEventType.Progress, ev.Type);
            Assert.True(ev.Revision >= current);
            break;
        }
    }

    [Fact]
    public async Task WatchAsync_FutureRevision_ThrowsFutureRevision()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var current = await Store.GetCurrentRevisionAsync(cts.Token);
        await Assert.ThrowsAsync<FutureRevisionException>(async () =>
        {
            await foreach (var _ in Store.WatchAsync("/f/", new WatchOptions(current + 100), cts.Token))
            {
            }
        });
    }

    [Fact]
    public async Task CompactAsync_OldReadsAndWatchesThrowCompacted_LatestKept()
    {
        using var cts = new CancellationTokenSource(Deadline);
        Assert.Equal(0, await Store.GetCompactedRevisionAsync(cts.Token));
        var a = await Store.CreateAsync("/c/a", B("1"), cts.Token);
        await Store.CompareAndSwapAsync("/c/a", a.ModRevision, B("2"), cts.Token);
        await Store.CreateAsync("/c/b", B("b"), cts.Token);
        var compactAt = await Store.GetCurrentRevisionAsync(cts.Token);
        await Store.CompactAsync(compactAt, cts.Token);
        await Store.CompactAsync(compactAt, cts.Token); // idempotent

        Assert.Equal(compactAt, await Store.GetCompactedRevisionAsync(cts.Token));
        var gone = await Assert.ThrowsAsync<RevisionCompactedException>(() => Store.GetAsync("/c/a", a.ModRevision, cts.Token));
        Assert.Equal(compactAt, gone.CompactedRevision);
        await Assert.ThrowsAsync<RevisionCompactedException>(() => Store.ListAsync("/c/", new ListOptions(a.ModRevision), cts.Token));
        Assert.Equal("2", S(await Store.GetAsync("/c/a", 0, cts.Token)));
        Assert.Equal(2, (await Store.ListAsync("/c/", new ListOptions(compactAt), cts.Token)).Items.Count);

        var watchGone = await Assert.ThrowsAsync<RevisionCompactedException>(async () =>
        {
            await foreach (var _ in Store.WatchAsync("/c/", new WatchOptions(a.ModRevision - 1), cts.Token))
            {
            }
        });
        Assert.Equal(compactAt, watchGone.CompactedRevision);
    }

    [Fact]
    public async Task GetCompactedRevisionAsync_CompactedByAnotherClient_IsFound()
    {
        using var cts = new CancellationTokenSource(Deadline);
        for (var i = 0; i < 20; i++)
        {
            await Store.CreateAsync($"/g/{i}", B("v"), cts.Token);
        }

        var compactAt = await Store.GetCurrentRevisionAsync(cts.Token) - 7;
        await using (var other = await EtcdStorage.ConnectAsync(new EtcdOptions { Endpoints = [_etcd!.ClientUrl] }, cts.Token))
        {
            await other.CompactAsync(compactAt, cts.Token);
        }

        Assert.Equal(compactAt, await Store.GetCompactedRevisionAsync(cts.Token));
    }

    [Fact]
    public async Task DisposeAsync_EndsOpenWatches()
    {
        using var cts = new CancellationTokenSource(Deadline);
        await using var other = await EtcdStorage.ConnectAsync(new EtcdOptions { Endpoints = [_etcd!.ClientUrl] }, cts.Token);
        var watch = other.WatchAsync("/d/", new WatchOptions(), cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync().AsTask();
        await other.DisposeAsync();
        Assert.False(await next.WaitAsync(cts.Token));
        await watch.DisposeAsync();
    }
}
