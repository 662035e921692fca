using Xunit;

namespace Skiff.Storage.Testing;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task Watch_FromRevision_ReplaysLaterEventsInOrderThenContinuesLive()
    {
        await Storage.CreateAsync(P + "a", B("a1"), Ct);
        var from = (await Storage.CreateAsync(P + "b", B("b1"), Ct)).ModRevision;
        var u = await UpdateAsync(P + "a", "a2");
        var d = await Storage.CompareAndDeleteAsync(P + "b", 0, Ct);

        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(from));
        var e1 = await w.NextKeyEventAsync();
        Assert.Equal((StorageEventType.Modified, P + "a", u.ModRevision), (e1.Type, e1.Kv!.Key, e1.Revision));
        var e2 = await w.NextKeyEventAsync();
        Assert.Equal((StorageEventType.Deleted, P + "b", d.Revision), (e2.Type, e2.Kv!.Key, e2.Revision));

        var c = await Storage.CreateAsync(P + "c", B("c1"), Ct);
        var e3 = await w.NextKeyEventAsync();
        Assert.Equal((StorageEventType.Added, P + "c", c.ModRevision), (e3.Type, e3.Kv!.Key, e3.Revision));
        Assert.Equal("c1", S(e3.Kv.Value));
        Assert.Null(e3.PrevKv);
    }

    [Fact]
    public async Task Watch_FromZero_DeliversOnlyLaterWrites()
    {
        await Storage.CreateAsync(P + "before", B("x"), Ct);
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(0, ProgressNotify: true));
        var progress = await w.NextAsync(); // the progress right after the (empty) replay marks that the watch is live
        Assert.Equal(StorageEventType.Progress, progress.Type);
        var after = await Storage.CreateAsync(P + "after", B("y"), Ct);
        var e = await w.NextKeyEventAsync();
        Assert.Equal(P + "after", e.Kv!.Key);
        Assert.Equal(after.ModRevision, e.Revision);
    }

    [Fact]
    public async Task Watch_Prefix_IsolatesSiblingPrefixes()
    {
        var start = (await BumpAsync()).ModRevision; // a positive revision: the watch covers writes made before it subscribes
        await using var w = WatchProbe.Start(Storage, P + "a/", new WatchOptions(start));
        await Storage.CreateAsync(P + "ab/1", B("no"), Ct);
        await Storage.CreateAsync(P + "a", B("no"), Ct);
        await Storage.CreateAsync(P + "a/1", B("yes"), Ct);
        await Storage.CreateAsync(P + "ab", B("no"), Ct);
        await Storage.CreateAsync(P + "a/2", B("yes"), Ct);
        Assert.Equal(P + "a/1", (await w.NextKeyEventAsync()).Kv!.Key);
        Assert.Equal(P + "a/2", (await w.NextKeyEventAsync()).Kv!.Key);
    }

    [Fact]
    public async Task Watch_Delete_CarriesPreviousValueAndDeleteRevision()
    {
        var kv = await Storage.CreateAsync(P + "a", B("last"), Ct);
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(kv.ModRevision));
        var d = await Storage.CompareAndDeleteAsync(P + "a", kv.ModRevision, Ct);
        var e = await w.NextKeyEventAsync();
        Assert.Equal(StorageEventType.Deleted, e.Type);
        Assert.Equal(d.Revision, e.Revision);
        Assert.Equal("last", S(e.Kv!.Value));
        Assert.Equal(d.Revision, e.Kv.ModRevision);
        Assert.Equal(kv.CreateRevision, e.Kv.CreateRevision);
        Assert.Equal(kv.ModRevision, e.PrevKv!.ModRevision);
        Assert.Equal("last", S(e.PrevKv.Value));
    }

    [Fact]
    public async Task Watch_Modify_CarriesNewAndPreviousValue()
    {
        var kv = await Storage.CreateAsync(P + "a", B("old"), Ct);
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(kv.ModRevision));
        var u = await UpdateAsync(P + "a", "new");
        var e = await w.NextKeyEventAsync();
        Assert.Equal(StorageEventType.Modified, e.Type);
        Assert.Equal("new", S(e.Kv!.Value));
        Assert.Equal(u.ModRevision, e.Kv.ModRevision);
        Assert.Equal("old", S(e.PrevKv!.Value));
    }

    [Fact]
    public async Task Watch_StartedDuringConcurrentWrites_HasNoGapAndNoDuplicate()
    {
        const int total = 300;
        var written = new long[total];
        var halfway = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                written[i] = (await Storage.CreateAsync($"{P}k{i:D4}", B("v"), Ct)).ModRevision;
                if (i == total / 3)
                {
                    halfway.TrySetResult(written[i]);
                }
            }
        });

        var from = await halfway.Task;
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(from));
        await writer;
        var sentinel = await Storage.CreateAsync(P + "zz-sentinel", B("end"), Ct);

        var got = new List<long>();
        while (true)
        {
            var e = await w.NextKeyEventAsync();
            if (e.Kv!.Key == P + "zz-sentinel")
            {
                Assert.Equal(sentinel.ModRevision, e.Revision);
                break;
            }

            got.Add(e.Revision);
        }

        Assert.Equal(written.Where(r => r > from), got);
    }

    [Fact]
    public async Task Watch_ProgressNotify_EmitsProgressCoveringTheReplay()
    {
        var from = (await Storage.CreateAsync(P + "a", B("1"), Ct)).ModRevision;
        var last = await Storage.CreateAsync(P + "b", B("1"), Ct);
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(from, ProgressNotify: true));
        var e = await w.NextAsync();
        Assert.Equal(StorageEventType.Added, e.Type);
        Assert.Equal(last.ModRevision, e.Revision);
        var p = await w.NextAsync();
        Assert.Equal(StorageEventType.Progress, p.Type);
        Assert.Null(p.Kv);
        Assert.True(p.Revision >= last.ModRevision);
    }

    [Fact]
    public async Task Watch_WithoutProgressNotify_EmitsNoProgressEvents()
    {
        var from = (await BumpAsync()).ModRevision;
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(from));
        await Storage.CreateAsync(P + "a", B("1"), Ct);
        Assert.Equal(StorageEventType.Added, (await w.NextAsync()).Type);
    }

    [Fact]
    public async Task Watch_Cancelled_EndsTheStream()
    {
        var w = WatchProbe.Start(Storage, P, new WatchOptions(0, ProgressNotify: true));
        await w.NextAsync(); // the watch is established
        w.Cancel();
        var error = await w.WaitForEndAsync();
        Assert.True(error is null or OperationCanceledException, $"unexpected {error}");
        await w.DisposeAsync();
    }

    [Fact]
    public async Task Watch_StoreDisposed_EndsTheStream()
    {
        var store = await CreateStorageAsync();
        var w = WatchProbe.Start(store, P, new WatchOptions(0, ProgressNotify: true));
        await w.NextAsync();
        await store.DisposeAsync();
        var error = await w.WaitForEndAsync();
        Assert.True(error is null or OperationCanceledException or ObjectDisposedException or StorageException, $"unexpected {error}");
        await w.DisposeAsync();
    }
}
