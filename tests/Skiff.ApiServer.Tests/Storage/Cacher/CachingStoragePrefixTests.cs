using System.Text;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>Prefixes added and removed at run time (custom resources come and go).</summary>
public sealed class CachingStoragePrefixTests
{
    private const string P = "/registry/example.com/widgets/";

    [Fact]
    public async Task AddPrefix_ServesWatchesFromTheCache_RemovePrefix_EndsThem()
    {
        await using var inner = new MemoryStorage();
        await using var cache = new CachingStorage(inner, new CachingStorageOptions { Prefixes = ["/registry/pods/"], DisposeInner = false });
        await cache.StartAsync(default);
        var created = await cache.CreateAsync(P + "a", Encoding.UTF8.GetBytes("{}"), default);
        Assert.Null(cache.GetCachedRevision(P));

        Assert.True(cache.AddPrefix(P));
        Assert.False(cache.AddPrefix(P));
        Assert.Contains(P, cache.Prefixes);
        var list = await cache.ListAsync(P, ListOptions.Latest, default); // a consistent read waits for the new prefix's first list
        Assert.Single(list.Items);
        Assert.Equal(created.ModRevision, cache.GetCachedRevision(P));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var watch = cache.WatchAsync(P, new WatchOptions(created.ModRevision), cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync();
        await cache.CreateAsync(P + "b", Encoding.UTF8.GetBytes("{}"), default);
        Assert.True(await next);
        Assert.Equal(P + "b", watch.Current.Kv!.Key);
        Assert.Equal(1, cache.GetWatcherCount(P));

        Assert.True(await cache.RemovePrefixAsync(P));
        Assert.False(await cache.RemovePrefixAsync(P));
        Assert.Null(cache.GetCachedRevision(P));
        Assert.DoesNotContain(P, cache.Prefixes);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            while (await watch.MoveNextAsync())
            {
            }

            throw new InvalidOperationException("the watch ended");
        });

        // Reads still work, from the inner store.
        Assert.Equal(2, (await cache.ListAsync(P, ListOptions.Latest, default)).Items.Count);
    }
}
