using Xunit;

namespace Skiff.Storage.Testing;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task List_Prefix_ReturnsOnlyMatchingKeysInByteOrder()
    {
        foreach (var k in new[] { "a/2", "ab/1", "a/1", "a/10", "a", "b/1", "a/é", "a/😀", "a/\uFF5E" })
        {
            await Storage.CreateAsync(P + k, B(k), Ct);
        }

        var list = await Storage.ListAsync(P + "a/", ListOptions.Latest, Ct);
        // UTF-8 byte order: U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80).
        Assert.Equal(new[] { "a/1", "a/10", "a/2", "a/é", "a/\uFF5E", "a/😀" }.Select(k => P + k), list.Items.Select(i => i.Key));
        Assert.False(list.HasMore);
        Assert.Equal(0, list.RemainingCount);
    }

    [Fact]
    public async Task List_Latest_ReportsStoreRevisionNotHighestItemRevision()
    {
        await Storage.CreateAsync(P + "a", B("1"), Ct);
        var other = await BumpAsync();
        var list = await Storage.ListAsync(P, ListOptions.Latest, Ct);
        Assert.True(list.Revision >= other.ModRevision);
    }

    [Fact]
    public async Task List_DeletedKeys_AreNotReturned()
    {
        await Storage.CreateAsync(P + "a", B("1"), Ct);
        await Storage.CreateAsync(P + "b", B("1"), Ct);
        await Storage.CompareAndDeleteAsync(P + "a", 0, Ct);
        var list = await Storage.ListAsync(P, ListOptions.Latest, Ct);
        Assert.Equal(P + "b", Assert.Single(list.Items).Key);
    }

    [Fact]
    public async Task List_LimitAndStartAfter_ReportsHasMoreAndRemainingCount()
    {
        for (var i = 0; i < 10; i++)
        {
            await Storage.CreateAsync($"{P}k{i:D2}", B("v"), Ct);
        }

        await Storage.CreateAsync(P[..^1] + "0-outside", B("v"), Ct); // sorts right after the prefix range
        var page = await Storage.ListAsync(P, new ListOptions(Limit: 3), Ct);
        Assert.Equal(3, page.Items.Count);
        Assert.True(page.HasMore);
        Assert.Equal(7, page.RemainingCount);

        var next = await Storage.ListAsync(P, new ListOptions(page.Revision, 3, page.Items[^1].Key), Ct);
        Assert.Equal($"{P}k03", next.Items[0].Key);
        Assert.Equal(4, next.RemainingCount);

        var last = await Storage.ListAsync(P, new ListOptions(page.Revision, 4, $"{P}k05"), Ct);
        Assert.Equal(4, last.Items.Count);
        Assert.False(last.HasMore);
        Assert.Equal(0, last.RemainingCount);
    }

    [Fact]
    public async Task List_PagesAtFirstPageRevision_ReadOneSnapshotWhileWritesHappen()
    {
        const int n = 60;
        var expected = new Dictionary<string, string>();
        for (var i = 0; i < n; i++)
        {
            var key = $"{P}item{i:D3}";
            await Storage.CreateAsync(key, B("orig" + i), Ct);
            expected[key] = "orig" + i;
        }

        // The first page fixes the snapshot; the writer starts only after it, so every later page races real writes.
        var seen = new List<KeyValue>();
        var first = await Storage.ListAsync(P, new ListOptions(Limit: 7), Ct);
        seen.AddRange(first.Items);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            // Bounded and yielding: an in-memory store completes writes synchronously, and an unbounded loop would
            // grow the key space (and every page's RemainingCount scan) faster than the pages are read.
            for (var j = 0; j < 2_000 && !stop.IsCancellationRequested;)
            {
                await Task.Yield();
                var key = $"{P}item{j++ % n:D3}";
                await Storage.GuaranteedUpdateAsync(key, (cur, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(B("changed" + j)), true, Ct);
                await Storage.CreateAsync($"{P}new{j:D5}", B("new"), Ct);
            }
        });

        var cursor = first;
        while (cursor.HasMore)
        {
            // Deterministic interleaving on top of the background writer: change and delete keys between pages.
            var victim = $"{P}item{seen.Count % n:D3}";
            await Storage.CompareAndDeleteAsync(victim, 0, Ct);
            await Storage.CreateAsync($"{P}between{seen.Count:D3}", B("b"), Ct);
            cursor = await Storage.ListAsync(P, new ListOptions(first.Revision, 7, seen[^1].Key), Ct);
            Assert.Equal(first.Revision, cursor.Revision);
            seen.AddRange(cursor.Items);
        }

        stop.Cancel();
        await writer;
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), seen.Select(s => s.Key));
        Assert.All(seen, kv => Assert.Equal(expected[kv.Key], S(kv.Value)));
    }

    [Fact]
    public async Task ListAndGet_AtOldRevision_ReturnStateAsOfThatRevision()
    {
        await BumpAsync(); // so that a1.ModRevision - 1 is a real revision, not "latest"
        var a1 = await Storage.CreateAsync(P + "a", B("a1"), Ct);
        await Storage.CreateAsync(P + "b", B("b1"), Ct);
        var snapshot = await Storage.GetCurrentRevisionAsync(Ct);
        await UpdateAsync(P + "a", "a2");
        await Storage.CompareAndDeleteAsync(P + "b", 0, Ct);
        await Storage.CreateAsync(P + "c", B("c1"), Ct);

        var old = await Storage.ListAsync(P, new ListOptions(Revision: snapshot), Ct);
        Assert.Equal(snapshot, old.Revision);
        Assert.Equal(new[] { "a1", "b1" }, old.Items.Select(i => S(i.Value)));
        Assert.Equal(a1.ModRevision, old.Items[0].ModRevision);

        Assert.Equal("a1", S((await Storage.GetAsync(P + "a", snapshot, Ct))!.Value));
        Assert.Equal("b1", S((await Storage.GetAsync(P + "b", snapshot, Ct))!.Value));
        Assert.Null(await Storage.GetAsync(P + "c", snapshot, Ct));
        Assert.Null(await Storage.GetAsync(P + "a", a1.ModRevision - 1, Ct));

        var latest = await Storage.ListAsync(P, ListOptions.Latest, Ct);
        Assert.Equal(new[] { "a2", "c1" }, latest.Items.Select(i => S(i.Value)));
    }

    [Fact]
    public async Task ListAndGet_FutureRevision_ThrowFutureRevision()
    {
        await Storage.CreateAsync(P + "a", B("1"), Ct);
        var future = await Storage.GetCurrentRevisionAsync(Ct) + 1000;
        await Assert.ThrowsAsync<FutureRevisionException>(() => Storage.GetAsync(P + "a", future, Ct));
        var ex = await Assert.ThrowsAsync<FutureRevisionException>(() => Storage.ListAsync(P, new ListOptions(Revision: future), Ct));
        Assert.Equal(future, ex.Requested);
    }
}
