using Xunit;

namespace Skiff.Storage.Testing;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task Compact_OldRevision_ReadsBelowItThrowCompacted()
    {
        var a1 = await Storage.CreateAsync(P + "a", B("a1"), Ct);
        await UpdateAsync(P + "a", "a2");
        var at = (await UpdateAsync(P + "a", "a3")).ModRevision;
        await Storage.CompactAsync(at, Ct);

        Assert.True(await Storage.GetCompactedRevisionAsync(Ct) >= at);
        var ex = await Assert.ThrowsAsync<RevisionCompactedException>(() => Storage.GetAsync(P + "a", a1.ModRevision, Ct));
        Assert.Equal(a1.ModRevision, ex.Requested);
        await Assert.ThrowsAsync<RevisionCompactedException>(() => Storage.ListAsync(P, new ListOptions(Revision: a1.ModRevision), Ct));
        Assert.Equal("a3", S((await Storage.GetAsync(P + "a", at, Ct))!.Value));
        Assert.Equal("a3", S((await Storage.GetAsync(P + "a", 0, Ct))!.Value));
    }

    [Fact]
    public async Task Compact_KeepsLatestValueOfEveryLiveKeyAndDropsDeletedOnes()
    {
        var old = await Storage.CreateAsync(P + "old", B("kept"), Ct);
        await Storage.CreateAsync(P + "gone", B("x"), Ct);
        await Storage.CompareAndDeleteAsync(P + "gone", 0, Ct);
        await Storage.CreateAsync(P + "b", B("b1"), Ct);
        var b2 = await UpdateAsync(P + "b", "b2");
        await Storage.CompactAsync(b2.ModRevision, Ct);

        var list = await Storage.ListAsync(P, ListOptions.Latest, Ct);
        Assert.Equal(new[] { P + "b", P + "old" }, list.Items.Select(i => i.Key));
        var kept = await Storage.GetAsync(P + "old", 0, Ct);
        Assert.Equal((old.CreateRevision, old.ModRevision, "kept"), (kept!.CreateRevision, kept.ModRevision, S(kept.Value)));
        Assert.Equal(2, await Storage.CountAsync(P, Ct));
        var atCompacted = await Storage.ListAsync(P, new ListOptions(Revision: b2.ModRevision), Ct);
        Assert.Equal(2, atCompacted.Items.Count);
    }

    [Fact]
    public async Task Watch_FromCompactedRevision_ThrowsRevisionCompacted()
    {
        var first = await Storage.CreateAsync(P + "a", B("1"), Ct);
        await UpdateAsync(P + "a", "2");
        var at = (await UpdateAsync(P + "a", "3")).ModRevision;
        await Storage.CompactAsync(at, Ct);
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(first.ModRevision));
        var error = await w.WaitForEndAsync();
        Assert.IsType<RevisionCompactedException>(error);
    }

    [Fact]
    public async Task Watch_FromCompactionRevision_StillWorks()
    {
        await Storage.CreateAsync(P + "a", B("1"), Ct);
        var at = (await UpdateAsync(P + "a", "2")).ModRevision;
        await Storage.CompactAsync(at, Ct);
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(at));
        var next = await UpdateAsync(P + "a", "3");
        var e = await w.NextKeyEventAsync();
        Assert.Equal(next.ModRevision, e.Revision);
    }

    [Fact]
    public async Task Compact_FutureRevision_ThrowsFutureRevision()
    {
        await Storage.CreateAsync(P + "a", B("1"), Ct);
        var future = await Storage.GetCurrentRevisionAsync(Ct) + 1000;
        await Assert.ThrowsAsync<FutureRevisionException>(() => Storage.CompactAsync(future, Ct));
    }

    [Fact]
    public async Task Compact_ThenWrite_RevisionsKeepIncreasing()
    {
        var a = await Storage.CreateAsync(P + "a", B("1"), Ct);
        await Storage.CompactAsync(a.ModRevision, Ct);
        var b = await Storage.CreateAsync(P + "b", B("1"), Ct);
        Assert.True(b.ModRevision > a.ModRevision);
        Assert.Equal("1", S((await Storage.GetAsync(P + "a", 0, Ct))!.Value));
    }

    [Fact]
    public async Task Watch_LiveAcrossCompaction_KeepsDeliveringInOrder()
    {
        var from = (await Storage.CreateAsync(P + "a", B("1"), Ct)).ModRevision;
        await using var w = WatchProbe.Start(Storage, P, new WatchOptions(from));
        var u = await UpdateAsync(P + "a", "2");
        Assert.Equal(u.ModRevision, (await w.NextKeyEventAsync()).Revision);
        await Storage.CompactAsync(u.ModRevision, Ct);
        var v = await UpdateAsync(P + "a", "3");
        var e = await w.NextKeyEventAsync();
        Assert.Equal((StorageEventType.Modified, v.ModRevision, "2"), (e.Type, e.Revision, S(e.PrevKv!.Value)));
    }
}
