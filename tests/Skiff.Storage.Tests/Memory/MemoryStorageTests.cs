using System.Text;
using Skiff.Storage.Memory;
using Skiff.Storage.Testing;
using Xunit;

namespace Skiff.Storage.Tests.Memory;

/// <summary>Behaviour specific to <see cref="MemoryStorage"/>: timer-driven progress and lagging watchers.</summary>
public sealed class MemoryStorageTests
{
    private static readonly byte[] Value = Encoding.UTF8.GetBytes("v");

    [Fact]
    public async Task Watch_IdleWithProgressNotify_GetsProgressOnEachTimerTick()
    {
        var time = new ManualTimeProvider();
        await using var store = new MemoryStorage(new MemoryStorageOptions { TimeProvider = time, ProgressInterval = TimeSpan.FromSeconds(1) });
        await store.CreateAsync("/a/1", Value, default);
        await using var w = WatchProbe.Start(store, "/a/", new WatchOptions(0, ProgressNotify: true));
        Assert.Equal(1, (await w.NextAsync()).Revision); // right after the (empty) replay

        var other = await store.CreateAsync("/b/1", Value, default); // outside the prefix: the watcher stays idle
        time.Advance(TimeSpan.FromSeconds(1));
        var tick = await w.NextAsync();
        Assert.Equal(StorageEventType.Progress, tick.Type);
        Assert.Equal(other.ModRevision, tick.Revision);
    }

    [Fact]
    public async Task Watch_BusyWithProgressNotify_GetsNoProgressForThatTick()
    {
        var time = new ManualTimeProvider();
        await using var store = new MemoryStorage(new MemoryStorageOptions { TimeProvider = time, ProgressInterval = TimeSpan.FromSeconds(1) });
        await using var w = WatchProbe.Start(store, "/a/", new WatchOptions(0, ProgressNotify: true));
        await w.NextAsync();
        var kv = await store.CreateAsync("/a/1", Value, default);
        time.Advance(TimeSpan.FromSeconds(1)); // had an event during this tick: no progress
        time.Advance(TimeSpan.FromSeconds(1)); // idle tick: progress
        Assert.Equal(StorageEventType.Added, (await w.NextAsync()).Type);
        var p = await w.NextAsync();
        Assert.Equal((StorageEventType.Progress, kv.ModRevision), (p.Type, p.Revision));
    }

    [Fact]
    public async Task Watch_ConsumerTooSlow_IsCutOffWithLastDeliveredRevision()
    {
        await using var store = new MemoryStorage(new MemoryStorageOptions { WatchBufferSize = 4 });
        var from = (await store.CreateAsync("/x", Value, default)).ModRevision;
        await using var e = store.WatchAsync("/a/", new WatchOptions(from), default).GetAsyncEnumerator();
        var first = await store.CreateAsync("/a/0", Value, default);
        Assert.True(await e.MoveNextAsync()); // subscribed; the first event came from the replay
        Assert.Equal(first.ModRevision, e.Current.Revision);
        for (var i = 1; i <= 10; i++)
        {
            await store.CreateAsync($"/a/{i}", Value, default);
        }

        var delivered = new List<long>();
        var ex = await Assert.ThrowsAsync<WatchLaggedException>(async () =>
        {
            while (await e.MoveNextAsync())
            {
                delivered.Add(e.Current.Revision);
            }
        });
        Assert.Equal(4, delivered.Count);
        Assert.Equal(delivered[^1], ex.LastDeliveredRevision);
    }

    [Fact]
    public async Task Operations_AfterDispose_ThrowObjectDisposed()
    {
        var store = new MemoryStorage();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CreateAsync("/a", Value, default));
        Assert.False((await store.CheckHealthAsync(default)).Healthy);
    }
}
