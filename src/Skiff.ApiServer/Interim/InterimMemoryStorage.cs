using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Skiff.Storage;

namespace Skiff.ApiServer.Interim;

/// <summary>
/// A small, unoptimised in-memory <see cref="IStorage"/> (full history kept, no compaction of memory).
/// INTERIM: used only until Skiff.Storage's MemoryStorage lands in main; then deleted.
/// </summary>
public sealed class InterimMemoryStorage : IStorage
{
    private readonly object _lock = new();
    private readonly SortedDictionary<string, KeyValue> _current = new(StringComparer.Ordinal);
    private readonly List<StorageEvent> _history = [];
    private readonly List<(string Prefix, Channel<StorageEvent> Channel)> _watchers = [];
    private long _revision;
    private long _compacted;

    public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_revision);
        }
    }

    public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        StorageExtensions.ValidateWrite(key, value);
        lock (_lock)
        {
            if (_current.ContainsKey(key))
            {
                throw new KeyExistsException(key);
            }

            var rev = ++_revision;
            var kv = new KeyValue(key, value.ToArray(), rev, rev);
            _current[key] = kv;
            Publish(new StorageEvent(StorageEventType.Added, kv, null, rev));
            return Task.FromResult(kv);
        }
    }

    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct)
    {
        lock (_lock)
        {
            CheckRevision(revision);
            if (revision == 0 || revision >= _revision)
            {
                return Task.FromResult(_current.GetValueOrDefault(key));
            }

            return Task.FromResult(StateAt(key, revision));
        }
    }

    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        lock (_lock)
        {
            CheckRevision(options.Revision);
            var rev = options.Revision == 0 ? _revision : options.Revision;
            IEnumerable<KeyValue> items;
            if (rev >= _revision)
            {
                items = _current.Values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal));
            }
            else
            {
                var keys = _history.Where(e => e.Revision <= rev && e.Kv!.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => e.Kv!.Key)
                    .Concat(_current.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))).Distinct().Order(StringComparer.Ordinal);
                items = keys.Select(k => StateAt(k, rev)).Where(kv => kv is not null)!;
            }

            var list = items.Where(kv => options.StartAfter is null || string.CompareOrdinal(kv.Key, options.StartAfter) > 0).ToList();
            var hasMore = options.Limit > 0 && list.Count > options.Limit;
            var page = hasMore ? list.Take((int)options.Limit).ToList() : list;
            return Task.FromResult(new ListResult(page, rev, hasMore, hasMore ? list.Count - page.Count : 0));
        }
    }

    public Task<long> CountAsync(string prefix, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult((long)_current.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal)));
        }
    }

    public Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        StorageExtensions.ValidateWrite(key, value);
        lock (_lock)
        {
            var cur = _current.GetValueOrDefault(key);
            if (cur is null || cur.ModRevision != expectedModRevision)
            {
                return Task.FromResult(new WriteResult(false, cur, _revision));
            }

            var rev = ++_revision;
            var kv = new KeyValue(key, value.ToArray(), cur.CreateRevision, rev);
            _current[key] = kv;
            Publish(new StorageEvent(StorageEventType.Modified, kv, cur, rev));
            return Task.FromResult(new WriteResult(true, kv, rev));
        }
    }

    public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct)
    {
        lock (_lock)
        {
            var cur = _current.GetValueOrDefault(key);
            if (cur is null || (expectedModRevision != 0 && cur.ModRevision != expectedModRevision))
            {
                return Task.FromResult(new WriteResult(false, cur, _revision));
            }

            var rev = ++_revision;
            _current.Remove(key);
            Publish(new StorageEvent(StorageEventType.Deleted, cur with { ModRevision = rev }, cur, rev));
            return Task.FromResult(new WriteResult(true, cur, rev));
        }
    }

    public async IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<StorageEvent>();
        lock (_lock)
        {
            if (options.FromRevision > 0 && options.FromRevision < _compacted)
            {
                throw new RevisionCompactedException(options.FromRevision, _compacted);
            }

            if (options.FromRevision > 0)
            {
                foreach (var e in _history.Where(e => e.Revision > options.FromRevision && e.Kv!.Key.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    channel.Writer.TryWrite(e);
                }
            }

            _watchers.Add((prefix, channel));
        }

        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.RemoveAll(w => w.Channel == channel);
            }
        }
    }

    public Task CompactAsync(long revision, CancellationToken ct)
    {
        lock (_lock)
        {
            _compacted = Math.Max(_compacted, revision);
        }

        return Task.CompletedTask;
    }

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_compacted);
        }
    }

    public Task<HealthResult> CheckHealthAsync(CancellationToken ct) => Task.FromResult(new HealthResult(true, "ok"));

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var (_, c) in _watchers)
            {
                c.Writer.TryComplete();
            }

            _watchers.Clear();
        }

        return ValueTask.CompletedTask;
    }

    private void CheckRevision(long revision)
    {
        if (revision > 0 && revision < _compacted)
        {
            throw new RevisionCompactedException(revision, _compacted);
        }

        if (revision > _revision)
        {
            throw new FutureRevisionException(revision, _revision);
        }
    }

    private KeyValue? StateAt(string key, long revision)
    {
        KeyValue? state = null;
        foreach (var e in _history)
        {
            if (e.Revision > revision)
            {
                break;
            }

            if (e.Kv!.Key == key)
            {
                state = e.Type == StorageEventType.Deleted ? null : e.Kv;
            }
        }

        return state;
    }

    private void Publish(StorageEvent e)
    {
        _history.Add(e);
        foreach (var (prefix, c) in _watchers)
        {
            if (e.Kv!.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                c.Writer.TryWrite(e);
            }
        }
    }
}
