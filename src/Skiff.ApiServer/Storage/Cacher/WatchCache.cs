using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// The cache of one key prefix: the current state (key → stored <see cref="KeyValue"/>, bytes as the inner store returned
/// them), a ring of recent events, and the watchers fed from it. One inner list plus one inner watch keep it current.
/// </summary>
/// <remarks>
/// <para><b>Revision.</b> <c>_revision</c> (C) is the revision the state is exact at: every event under the prefix up to
/// C is applied and none after it. It moves with each applied event, with inner progress events, and when a consistent
/// read catches the cache up through a short inner watch of its own.</para>
/// <para><b>Ring.</b> Every event under the prefix with a revision above <c>_ringStart</c> (and at most C) is in the
/// ring, so the cache can replay watches from, and reconstruct reads at, any revision in [<c>_ringStart</c>, C].</para>
/// <para>All state is guarded by <c>_gate</c>; events are applied in revision order, each exactly once.</para>
/// </remarks>
internal sealed partial class WatchCache : IAsyncDisposable
{
    private readonly IStorage _inner;
    private readonly CachingStorageOptions _options;
    private readonly Lock _gate = new();
    private readonly EventRing _ring;
    private readonly List<CacheWatcher> _watchers = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer? _progressTimer;
    private readonly KeyValueIndex _items = new(); // the current state
    private readonly List<CacheWatcher> _blocked = []; // watchers with pending events, for the dispatcher (cache lock)
    private readonly DispatchBudget _budget;
    private long _revision;
    private long _ringStart;
    private long _compacted;
    private bool _disposed;
    private Task? _pump;
    private TaskCompletionSource? _advanced; // completed when _revision moves; created on demand by waiters

    public WatchCache(IStorage inner, string prefix, CachingStorageOptions options)
    {
        _inner = inner;
        Prefix = prefix;
        _options = options;
        _ring = new EventRing(options.EventHistory);
        _budget = new DispatchBudget(options.TimeProvider);
        var interval = options.ProgressInterval;
        if (interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan)
        {
            _progressTimer = options.TimeProvider.CreateTimer(_ => Tick(), null, interval, interval);
        }
    }

    /// <summary>The cached prefix.</summary>
    public string Prefix { get; }

    /// <summary>Completes when the initial list has been loaded.</summary>
    public Task Ready => _ready.Task;

    /// <summary>The revision the cache is exact at (diagnostics and tests).</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>How many watchers are registered (diagnostics and tests).</summary>
    public int WatcherCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Starts the list-and-watch loop unless it runs already.</summary>
    public void EnsureStarted()
    {
        if (_pump is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_pump is null && !_disposed)
            {
                _pump = Task.Run(() => RunAsync(_stop.Token));
            }
        }
    }

    /// <summary>Records a compaction made through the decorator: reads and watches below it then fail as with the store.</summary>
    public void OnCompacted(long revision)
    {
        lock (_gate)
        {
            _compacted = Math.Max(_compacted, revision);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var w in _watchers)
            {
                w.Pending = null;
                w.Close();
            }

            _watchers.Clear();
            _advanced?.TrySetCanceled();
            _advanced = null;
        }

        _ready.TrySetCanceled();
        _progressTimer?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false); // RunAsync never throws
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var relist = true;
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (relist)
                {
                    var list = await _inner.ListAsync(Prefix, ListOptions.Latest, ct).ConfigureAwait(false);
                    Replace(list);
                    relist = false;
                }

                var from = Revision;
                var first = true;
                await foreach (var e in _inner.WatchAsync(Prefix, new WatchOptions(from, ProgressNotify: true), ct).ConfigureAwait(false))
                {
                    if (first && from == 0 && !(e.Type == StorageEventType.Progress && e.Revision == 0))
                    {
                        // A watch "from 0" means "from now": unless its start is still revision 0, writes made after the
                        // empty list may have been missed, so list again (the store is not empty any more).
                        relist = true;
                        break;
                    }

                    first = false;
                    if (Apply(e))
                    {
                        await DispatchBlockedAsync().ConfigureAwait(false);
                    }

                    failures = 0;
                }

                if (relist)
                {
                    continue;
                }

                // The inner stream ended without an error (its store is closing): try again after a pause.
                failures++;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RevisionCompactedException)
            {
                // The cache's revision is gone from the inner store's history: only a new list can restore it.
                relist = true;
                continue;
            }
            catch (WatchLaggedException)
            {
                // The inner store cut the cache's watch off: resume from the cache's revision, nothing is lost.
                continue;
            }
            catch (Exception)
            {
                // Unavailable, disposed, or anything else: retry with back-off; consistent reads fall back meanwhile.
                failures++;
            }

            try
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(_options.MaxRetryDelay.TotalMilliseconds, 10 << Math.Min(failures, 10)));
                await Task.Delay(delay, _options.TimeProvider, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Loads a (re)list. Watchers that the cache can no longer continue without a gap are ended with 410.</summary>
    private void Replace(ListResult list)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var wasReady = _ready.Task.IsCompleted;
            if (wasReady && list.Revision == _revision)
            {
                return; // nothing at all was written since: the state and ring are still exact
            }

            if (wasReady)
            {
                for (var i = _watchers.Count - 1; i >= 0; i--)
                {
                    var w = _watchers[i];
                    if (Math.Max(w.MinRevision, _revision) < list.Revision)
                    {
                        w.Pending = null;
                        w.CloseCompacted(list.Revision);
                        _watchers.RemoveAt(i);
                    }
                }
            }

            foreach (var kv in list.Items)
            {
                StoredObject.Attach(kv); // scanned once, as the version enters the cache
            }

            _items.Reset(list.Items);
            _ring.Clear();
            _ringStart = list.Revision;
            SetRevision(list.Revision);
        }

        _ready.TrySetResult();
    }

    /// <summary>Applies an inner event; true when a watcher is left blocked (its buffer full) for <see cref="DispatchBlockedAsync"/>.</summary>
    private bool Apply(StorageEvent e)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if (e.Type == StorageEventType.Progress)
            {
                if (e.Revision > _revision)
                {
                    SetRevision(e.Revision);
                    ForwardProgress(e.Revision);
                }

                return _blocked.Count > 0;
            }

            ApplyLocked(e);
            return _blocked.Count > 0;
        }
    }

    /// <summary>Applies a key event unless the cache already has it (cache lock).</summary>
    private void ApplyLocked(StorageEvent e)
    {
        if (e.Revision <= _revision || e.Kv is null)
        {
            return; // already reflected: a duplicate after a resume, or applied by a catch-up read
        }

        // The previous version is the one the cache holds (same revision, same bytes): share it rather than keep the
        // store's second copy, and with it the scan attached when it entered the cache.
        if (e.PrevKv is { } prev && _items.Get(prev.Key) is { } held && held.ModRevision == prev.ModRevision && !ReferenceEquals(held, prev))
        {
            e = e with { PrevKv = held };
        }

        StoredObject.Attach(e.Kv, e.PrevKv);
        if (e.Type == StorageEventType.Deleted)
        {
            _items.Remove(e.Kv.Key);
        }
        else
        {
            _items.Set(e.Kv);
        }

        if (_ring.Add(e) is { } evicted)
        {
            _ringStart = evicted.Revision;
        }

        SetRevision(e.Revision);
        Deliver(e);
    }

    /// <summary>Moves the revision and wakes whoever waits for it (cache lock).</summary>
    private void SetRevision(long revision)
    {
        _revision = revision;
        if (_advanced is { } waiters)
        {
            _advanced = null;
            waiters.TrySetResult();
        }
    }
}
