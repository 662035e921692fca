using System.Text;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Testing;
using Xunit;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>Consistent and not-older-than reads from the cache, cached gets, and the scan attached to cached versions.</summary>
public sealed class CachingStorageReadTests : IAsyncLifetime
{
    private const string P = "/registry/configmaps/";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private InstrumentedStorage _inner = null!;
    private CachingStorage _cache = null!;

    public async Task InitializeAsync()
    {
        _inner = new InstrumentedStorage(new MemoryStorage());
        await _inner.CreateAsync("/registry/namespaces/default", B("{}"), Ct);
        _cache = new CachingStorage(_inner, new CachingStorageOptions { Prefixes = [P], ConsistentReadTimeout = TimeSpan.FromMilliseconds(300) });
        await _cache.StartAsync(Ct);
    }

    public async Task DisposeAsync() => await _cache.DisposeAsync();

    [Fact]
    public async Task ListNotOlderThan_CacheCannotCatchUpInTime_TooLargeResourceVersionNotAFallback()
    {
        _inner.HoldEvents();
        var a = await _cache.CreateAsync(P + "a", Cm("a"), Ct);
        var lists = _inner.Lists;

        var e = await Assert.ThrowsAsync<FutureRevisionException>(() => _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct));

        Assert.Equal(a.ModRevision, e.Requested);
        Assert.True(e.CurrentRevision < a.ModRevision);
        Assert.Equal(lists, _inner.Lists); // no silent read of the store
        _inner.ReleaseEvents();
        var list = await _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct);
        Assert.Equal(P + "a", Assert.Single(list.Items).Key);
    }

    [Fact]
    public async Task ListLatest_CacheCaughtUp_ServedFromMemoryAtStoreRevision()
    {
        var a = await _cache.CreateAsync(P + "a", Cm("a"), Ct);
        var lists = _inner.Lists;

        var list = await _cache.ListAsync(P, ListOptions.Latest, Ct);

        Assert.Equal(P + "a", Assert.Single(list.Items).Key);
        Assert.True(list.Revision >= a.ModRevision);
        Assert.Equal(lists, _inner.Lists);
    }

    [Fact]
    public async Task TryGetCached_ServesCurrentVersionOnceCaughtUp_FalseWhenBehind()
    {
        var a = await _cache.CreateAsync(P + "a", Cm("a"), Ct);
        await _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct);

        Assert.True(_cache.TryGetCached(P + "a", 0, out var got));
        Assert.Equal(a.ModRevision, got!.ModRevision);
        Assert.True(_cache.TryGetCached(P + "missing", 0, out var missing));
        Assert.Null(missing);
        Assert.False(_cache.TryGetCached(P + "a", a.ModRevision + 1000, out _));
        Assert.False(_cache.TryGetCached("/registry/secrets/x", 0, out _)); // not a cached prefix
    }

    [Fact]
    public async Task CachedVersions_CarryTheirScan_ModifiedEventsShareThePreviousCachedInstance()
    {
        var a = await _cache.CreateAsync(P + "a", Cm("a", "one"), Ct);
        var list = await _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct);
        var held = Assert.Single(list.Items);
        await using var w = WatchProbe.Start(_cache, P, new WatchOptions(a.ModRevision));
        var updated = await _cache.CompareAndSwapAsync(P + "a", a.ModRevision, Cm("a", "two"), Ct);

        var ev = await w.NextAsync();
        Assert.Equal(StorageEventType.Modified, ev.Type);
        Assert.Same(held, ev.PrevKv); // the cache's own version, not the store's second copy
        Assert.Same(StoredObject.Of(ev.Kv!), StoredObject.Of(ev.Kv!));
        Assert.Equal("two", StoredObject.Of(ev.Kv!)!.Labels["v"]);
        Assert.True(updated.Succeeded);
    }

    [Fact]
    public async Task CachedVersions_OverTheMemoryStore_HoldTheStoresBytesNotACopy()
    {
        var a = await _cache.CreateAsync(P + "shared", Cm("shared"), Ct);
        var cached = Assert.Single((await _cache.ListAsync(P, new ListOptions { NotOlderThan = a.ModRevision }, Ct)).Items, kv => kv.Key == P + "shared");
        var stored = await _inner.GetAsync(P + "shared", 0, Ct);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(cached.Value, out var cachedArray));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(stored!.Value, out var storedArray));
        Assert.Same(storedArray.Array, cachedArray.Array);
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Cm(string name, string v = "x") => B("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"labels\":{\"v\":\"" + v + "\"}}}");
}
