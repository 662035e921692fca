using System.Runtime.CompilerServices;
using Skiff.Storage.Watching;

namespace Skiff.Storage.Memory;

/// <summary>
/// An in-process, fully multi-versioned <see cref="IStorage"/>: every key keeps its history until
/// <see cref="CompactAsync"/>, so reads at older revisions and watches from older revisions work exactly as with etcd.
/// Nothing survives the process ("durable" means committed in memory). It is the store of the in-process test
/// control plane, so every operation is a short critical section under one lock with no I/O.
/// </summary>
public sealed class MemoryStorage : IStorage
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyHistory> _keys = new(StringComparer.Ordinal);
    private readonly List<string> _index = []; // every key with retained history, in StorageKeyComparer order
    private readonly List<StorageEvent> _log = []; // every event after _compacted, in revision order
    private readonly WatchHub _hub;
    private long _revision;
    private long _compacted;
    private bool _disposed;

    /// <summary>Creates an empty store at revision 0.</summary>
    public MemoryStorage(MemoryStorageOptions? options = null)
    {
        options ??= new MemoryStorageOptions();
        _hub = new WatchHub(0, options.WatchBufferSize, options.TimeProvider, options.ProgressInterval);
    }

    /// <inheritdoc />
    public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_revision);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_compacted);
        }
    }

    /// <inheritdoc />
    public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            StorageExtensions.ValidateWrite(key, value);
            var bytes = value.ToArray();
            lock (_gate)
            {
                ThrowIfDisposed();
                var history = GetOrAddHistory(key);
                if (history.Latest is not null)
                {
                    throw new KeyExistsException(key);
                }

                var rev = ++_revision;
                var kv = new KeyValue(key, bytes, rev, rev);
                history.Versions.Add(new KeyVersion(rev, kv));
                Append(new StorageEvent(StorageEventType.Added, kv, null, rev));
                return Task.FromResult(kv);
            }
        }
        catch (Exception e)
        {
            return Task.FromException<KeyValue>(e);
        }
    }

    /// <inheritdoc />
    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            StorageExtensions.ValidateKey(key);
            lock (_gate)
            {
                ThrowIfDisposed();
                var rev = ResolveRevision(revision);
                return Task.FromResult(_keys.TryGetValue(key, out var h) ? h.At(rev) : null);
            }
        }
        catch (Exception e)
        {
            return Task.FromException<KeyValue?>(e);
        }
    }

    /// <inheritdoc />
    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(prefix);
            ArgumentNullException.ThrowIfNull(options);
            ct.ThrowIfCancellationRequested();
            lock (_gate)
            {
                ThrowIfDisposed();
                var rev = ResolveRevision(options.Revision);
                var start = options.StartAfter is not null && StorageKeyComparer.Instance.Compare(options.StartAfter, prefix) >= 0
                    ? UpperBound(options.StartAfter)
                    : LowerBound(prefix);
                var limit = options.Limit > 0 ? options.Limit : long.MaxValue;
                var items = new List<KeyValue>();
                long remaining = 0;
                for (var i = start; i < _index.Count; i++)
                {
                    var key = _index[i];
                    if (!key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        break;
                    }

                    var kv = _keys[key].At(rev);
                    if (kv is null)
                    {
                        continue;
                    }

                    if (items.Count < limit)
                    {
                        items.Add(kv);
                    }
                    else
                    {
                        remaining++;
                    }
                }

                return Task.FromResult(new ListResult(items, rev, remaining > 0, remaining));
            }
        }
        catch (Exception e)
        {
            return Task.FromException<ListResult>(e);
        }
    }

    /// <inheritdoc />
    public Task<long> CountAsync(string prefix, CancellationToken ct)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(prefix);
            ct.ThrowIfCancellationRequested();
            lock (_gate)
            {
                ThrowIfDisposed();
                long n = 0;
                for (var i = LowerBound(prefix); i < _index.Count && _index[i].StartsWith(prefix, StringComparison.Ordinal); i++)
                {
                    if (_keys[_index[i]].Latest is not null)
                    {
                        n++;
                    }
                }

                return Task.FromResult(n);
            }
        }
        catch (Exception e)
        {
            return Task.FromException<long>(e);
        }
    }

    /// <inheritdoc />
    public Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            StorageExtensions.ValidateWrite(key, value);
            var bytes = value.ToArray();
            lock (_gate)
            {
                ThrowIfDisposed();
                _keys.TryGetValue(key, out var history);
                var current = history?.Latest;
                if (current is null || current.ModRevision != expectedModRevision)
                {
                    return Task.FromResult(new WriteResult(false, current, _revision));
                }

                var rev = ++_revision;
                var kv = new KeyValue(key, bytes, current.CreateRevision, rev);
                history!.Versions.Add(new KeyVersion(rev, kv));
                Append(new StorageEvent(StorageEventType.Modified, kv, current, rev));
                return Task.FromResult(new WriteResult(true, kv, rev));
            }
        }
        catch (Exception e)
        {
            return Task.FromException<WriteResult>(e);
        }
    }

    /// <inheritdoc />
    public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            StorageExtensions.ValidateKey(key);
            lock (_gate)
            {
                ThrowIfDisposed();
                _keys.TryGetValue(key, out var history);
                var current = history?.Latest;
                if (current is null || (expectedModRevision != 0 && current.ModRevision != expectedModRevision))
                {
                    return Task.FromResult(new WriteResult(false, current, _revision));
                }

                var rev = ++_revision;
                history!.Versions.Add(new KeyVersion(rev, null));
                Append(new StorageEvent(StorageEventType.Deleted, current with { ModRevision = rev }, current, rev));
                return Task.FromResult(new WriteResult(true, current, rev));
            }
        }
        catch (Exception e)
        {
            return Task.FromException<WriteResult>(e);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        return WatchCore(prefix, options, ct);
    }

    /// <inheritdoc />
    public Task CompactAsync(long revision, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
            lock (_gate)
            {
                ThrowIfDisposed();
                if (revision > _revision)
                {
                    throw new FutureRevisionException(revision, _revision);
                }

                if (revision <= _compacted)
                {
                    return Task.CompletedTask;
                }

                // Only keys written since the last compaction can hold versions that became unreachable.
                var n = 0;
                while (n < _log.Count && _log[n].Revision <= revision)
                {
                    n++;
                }

                var touched = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < n; i++)
                {
                    touched.Add(_log[i].Kv!.Key);
                }

                _log.RemoveRange(0, n);
                var emptied = new List<string>();
                foreach (var key in touched)
                {
                    if (_keys[key].Compact(revision))
                    {
                        emptied.Add(key);
                    }
                }

                if (emptied.Count > 0)
                {
                    foreach (var key in emptied)
                    {
                        _keys.Remove(key);
                    }

                    _index.RemoveAll(k => !_keys.ContainsKey(k));
                }

                _compacted = revision;
                return Task.CompletedTask;
            }
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <inheritdoc />
    public Task<HealthResult> CheckHealthAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult(_disposed
                ? new HealthResult(false, "memory storage is disposed")
                : new HealthResult(true, $"ok (revision {_revision})"));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _hub.Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<StorageEvent> WatchCore(string prefix, WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        WatchSubscription sub;
        List<StorageEvent>? replay = null;
        lock (_gate)
        {
            ThrowIfDisposed();
            var from = options.FromRevision;
            if (from > 0 && from < _compacted)
            {
                throw new RevisionCompactedException(from, _compacted);
            }

            sub = _hub.Subscribe(prefix, options.ProgressNotify, Math.Max(from, _revision));
            if (from > 0 && from < _revision)
            {
                replay = [];
                for (var i = FirstLogIndexAfter(from); i < _log.Count; i++)
                {
                    var e = _log[i];
                    if (e.Kv!.Key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        replay.Add(e);
                    }
                }
            }
        }

        await foreach (var e in sub.ReadAsync(replay is null ? null : ToAsync(replay), ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

#pragma warning disable CS1998 // a synchronous list exposed as an async stream
    private static async IAsyncEnumerable<StorageEvent> ToAsync(List<StorageEvent> events)
    {
        foreach (var e in events)
        {
            yield return e;
        }
    }
#pragma warning restore CS1998

    private void Append(StorageEvent e)
    {
        _log.Add(e);
        _hub.Publish(e);
    }

    private KeyHistory GetOrAddHistory(string key)
    {
        if (_keys.TryGetValue(key, out var history))
        {
            return history;
        }

        history = new KeyHistory();
        _keys.Add(key, history);
        var i = _index.BinarySearch(key, StorageKeyComparer.Instance);
        _index.Insert(~i, key);
        return history;
    }

    private long ResolveRevision(long revision)
    {
        if (revision == 0)
        {
            return _revision;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        if (revision > _revision)
        {
            throw new FutureRevisionException(revision, _revision);
        }

        if (revision < _compacted)
        {
            throw new RevisionCompactedException(revision, _compacted);
        }

        return revision;
    }

    private int LowerBound(string key)
    {
        var i = _index.BinarySearch(key, StorageKeyComparer.Instance);
        return i >= 0 ? i : ~i;
    }

    private int UpperBound(string key)
    {
        var i = _index.BinarySearch(key, StorageKeyComparer.Instance);
        return i >= 0 ? i + 1 : ~i;
    }

    private int FirstLogIndexAfter(long revision)
    {
        int lo = 0, hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_log[mid].Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
