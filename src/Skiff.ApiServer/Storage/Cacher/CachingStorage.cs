using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// A watch cache in front of any <see cref="IStorage"/> (upstream's cacher): for each configured key prefix it keeps the
/// current state and a ring of recent events in memory, fed by one inner list and one inner watch, and serves reads and
/// watches from them. Writes, counts and keys outside every cached prefix go to the inner store.
/// </summary>
/// <remarks>
/// <para>What it guarantees, on top of the <see cref="IStorage"/> contract it keeps:</para>
/// <list type="bullet">
/// <item>Cached values are the inner store's <see cref="KeyValue"/> instances: bytes are never re-serialized.</item>
/// <item><b>Lists.</b> <see cref="ListOptions.NotOlderThan"/> (resourceVersion="0" / NotOlderThan) is served from
/// memory at the cache's revision as soon as it is at least that revision. A latest (consistent) list is served from
/// memory once the cache is proven to have reached the inner store's current revision, within
/// <see cref="CachingStorageOptions.ConsistentReadTimeout"/>; otherwise (or with
/// <see cref="CachingStorageOptions.ConsistentListFromCache"/> off) the inner store answers. A list at an exact
/// revision is served from memory when the revision is within the cache's event window, else by the inner store.</item>
/// <item><b>Gets.</b> Latest gets go to the inner store (as upstream, a point read there is cheap and always current);
/// gets at an exact revision within the window are served from memory.</item>
/// <item><b>Watches</b> are always served from the cache: one inner watch per prefix feeds every watcher; each watcher
/// has a bounded buffer and is cut off with <see cref="WatchLaggedException"/> when it falls behind, without slowing the
/// others. A revision older than the cache's window throws <see cref="RevisionCompactedException"/> (410 Gone).</item>
/// <item>When the inner watch fails the cache resumes it from its revision, or relists when that revision is gone;
/// a relist ends the watchers it cannot continue without a gap with <see cref="RevisionCompactedException"/>.</item>
/// <item>Compactions made through this decorator are enforced by the cache too. Compactions made on the inner store
/// directly are not seen: the cache may then still answer reads at revisions the inner store has discarded.</item>
/// </list>
/// <para>Each prefix starts on first use, or all at once with <see cref="StartAsync"/>. Prefixes can be added and
/// removed at run time (<see cref="AddPrefix"/>, <see cref="RemovePrefixAsync"/>; custom resources come and go).</para>
/// </remarks>
public sealed class CachingStorage : IStorage
{
    private readonly IStorage _inner;
    private readonly CachingStorageOptions _options;
    private readonly Lock _prefixLock = new();
    private WatchCache[] _caches; // longest prefix first; replaced (never mutated) when prefixes come and go
    private int _disposed;
    private volatile bool _consistentListFromCache;

    /// <summary>Creates the decorator; nothing is read until a prefix is first used or <see cref="StartAsync"/> runs.</summary>
    public CachingStorage(IStorage inner, CachingStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EventHistory, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WatchBufferSize, 1);
        foreach (var p in options.Prefixes)
        {
            StorageExtensions.ValidateKey(p);
        }

        _inner = inner;
        _options = options;
        _consistentListFromCache = options.ConsistentListFromCache;
        _caches = options.Prefixes
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Length)
            .Select(p => new WatchCache(inner, p, options))
            .ToArray();
    }

    /// <summary>The cached prefixes.</summary>
    public IReadOnlyList<string> Prefixes => Volatile.Read(ref _caches).Select(c => c.Prefix).ToList();

    /// <summary>
    /// Starts caching <paramref name="prefix"/> (its initial list loads in the background; reads wait for it as on
    /// first use); false when it is cached already. Watches opened on the inner store before keep going there.
    /// </summary>
    public bool AddPrefix(string prefix)
    {
        StorageExtensions.ValidateKey(prefix);
        ThrowIfDisposed();
        WatchCache cache;
        lock (_prefixLock)
        {
            if (_caches.Any(c => c.Prefix == prefix))
            {
                return false;
            }

            cache = new WatchCache(_inner, prefix, _options);
            Volatile.Write(ref _caches, _caches.Append(cache).OrderByDescending(c => c.Prefix.Length).ToArray());
        }

        cache.EnsureStarted();
        return true;
    }

    /// <summary>
    /// Stops caching <paramref name="prefix"/>: its watchers' streams end (clients re-watch and are then served by the
    /// inner store, or by a shorter cached prefix); false when it was not cached.
    /// </summary>
    public async Task<bool> RemovePrefixAsync(string prefix)
    {
        WatchCache? cache;
        lock (_prefixLock)
        {
            cache = _caches.FirstOrDefault(c => c.Prefix == prefix);
            if (cache is null)
            {
                return false;
            }

            Volatile.Write(ref _caches, _caches.Where(c => !ReferenceEquals(c, cache)).ToArray());
        }

        await cache.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>The decorated store.</summary>
    public IStorage Inner => _inner;

    /// <summary>Starts every prefix's cache and waits until each has loaded its initial list.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        var caches = Volatile.Read(ref _caches);
        foreach (var cache in caches)
        {
            cache.EnsureStarted();
        }

        await Task.WhenAll(caches.Select(c => c.Ready)).WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>True once every prefix's cache has loaded its initial list (upstream's informer-sync readiness).</summary>
    public bool IsSynced => Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _caches).All(c => c.Ready.IsCompletedSuccessfully);

    /// <summary>The revision the cache of <paramref name="prefix"/> is exact at, or null when it is not cached.</summary>
    public long? GetCachedRevision(string prefix) => Find(prefix)?.Revision;

    /// <summary>How many watchers the cache of <paramref name="prefix"/> serves, or null when it is not cached.</summary>
    public int? GetWatcherCount(string prefix) => Find(prefix)?.WatcherCount;

    /// <inheritdoc />
    public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        return _inner.GetCurrentRevisionAsync(ct);
    }

    /// <inheritdoc />
    public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        ThrowIfDisposed();
        return _inner.CreateAsync(key, value, ct);
    }

    /// <inheritdoc />
    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct)
    {
        ThrowIfDisposed();
        if (revision > 0 && key is not null && Find(key) is { } cache)
        {
            try
            {
                var (found, value) = cache.TryGetAt(key, revision);
                if (found)
                {
                    return Task.FromResult(value);
                }
            }
            catch (Exception e)
            {
                return Task.FromException<KeyValue?>(e);
            }
        }

        return _inner.GetAsync(key!, revision, ct);
    }

    /// <summary>
    /// Reads <paramref name="key"/> from memory for a get with resourceVersion "0" (<paramref name="notOlderThan"/> 0)
    /// or N: true when a cache holds the key's prefix, is loaded and has reached that revision (<paramref name="value"/>
    /// is then the current version, or null when the key is absent); false when the inner store must answer.
    /// </summary>
    public bool TryGetCached(string key, long notOlderThan, out KeyValue? value)
    {
        value = null;
        return Volatile.Read(ref _disposed) == 0 && key is not null && Find(key) is { } cache && cache.TryGetCurrent(key, notOlderThan, out value);
    }

    /// <summary>
    /// <see cref="CachingStorageOptions.ConsistentListFromCache"/>, switchable at run time so that bench/Skiff.Bench
    /// (`list-watch --only list-storage`) compares the cache with the store on one server and one request.
    /// </summary>
    internal bool ConsistentListFromCache
    {
        get => _consistentListFromCache;
        set => _consistentListFromCache = value;
    }

    /// <inheritdoc />
    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var fromStorage = options.Revision == 0 && options.NotOlderThan is null && !_consistentListFromCache; // upstream's delegator
        return options.Revision >= 0 && options.Limit >= 0 && !fromStorage && Find(prefix) is { } cache
            ? cache.ListAsync(prefix, options, ct)
            : _inner.ListAsync(prefix, options, ct);
    }

    /// <inheritdoc />
    public Task<long> CountAsync(string prefix, CancellationToken ct)
    {
        ThrowIfDisposed();
        return _inner.CountAsync(prefix, ct);
    }

    /// <inheritdoc />
    public Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        ThrowIfDisposed();
        return _inner.CompareAndSwapAsync(key, expectedModRevision, value, ct);
    }

    /// <inheritdoc />
    public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct)
    {
        ThrowIfDisposed();
        return _inner.CompareAndDeleteAsync(key, expectedModRevision, ct);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, CancellationToken ct)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        return Find(prefix) is { } cache ? cache.WatchAsync(prefix, options, ct) : _inner.WatchAsync(prefix, options, ct);
    }

    /// <inheritdoc />
    public async Task CompactAsync(long revision, CancellationToken ct)
    {
        ThrowIfDisposed();
        await _inner.CompactAsync(revision, ct).ConfigureAwait(false);
        foreach (var cache in Volatile.Read(ref _caches))
        {
            cache.OnCompacted(revision);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        return _inner.GetCompactedRevisionAsync(ct);
    }

    /// <inheritdoc />
    public Task<HealthResult> CheckHealthAsync(CancellationToken ct) =>
        Volatile.Read(ref _disposed) != 0
            ? Task.FromResult(new HealthResult(false, "caching storage is disposed"))
            : _inner.CheckHealthAsync(ct);

    /// <summary>Stops every cache (their watchers' streams end) and, unless configured otherwise, disposes the inner store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        WatchCache[] caches;
        lock (_prefixLock)
        {
            caches = _caches;
            _caches = [];
        }

        foreach (var cache in caches)
        {
            await cache.DisposeAsync().ConfigureAwait(false);
        }

        if (_options.DisposeInner)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private WatchCache? Find(string keyOrPrefix)
    {
        foreach (var cache in Volatile.Read(ref _caches))
        {
            if (keyOrPrefix.StartsWith(cache.Prefix, StringComparison.Ordinal))
            {
                return cache;
            }
        }

        return null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
