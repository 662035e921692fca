using System.Runtime.CompilerServices;
using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>Watches: replay from the ring, then live events fanned out from the cache's single inner watch.</summary>
internal sealed partial class WatchCache
{
    /// <summary>
    /// Watches <paramref name="prefix"/> (under <see cref="Prefix"/>) from <see cref="WatchOptions.FromRevision"/>:
    /// replays the ring's later events, then continues live. A revision below the ring's window (or a known compaction)
    /// throws <see cref="RevisionCompactedException"/>; 0 starts after the inner store's current revision.
    /// </summary>
    public async IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        EnsureStarted();
        var fromNow = options.FromRevision <= 0;
        var current = await _inner.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
        var from = fromNow ? current : options.FromRevision;
        try
        {
            await _ready.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            yield break; // the cache was disposed while starting
        }

        if (fromNow ? current > 0 : from < current)
        {
            // Let the replay cover everything written before the call, as a store's own watch does (bounded wait; the
            // events still missing after it arrive live, in order, just after the first progress event). A watch "from
            // now" waits too: a cache still behind the store (an empty first list at revision 0 is followed by a relist)
            // would otherwise end the new watcher with 410 when it relists.
            await EnsureFreshAsync(current, waitWhenEmpty: true, ct).ConfigureAwait(false);
        }

        CacheWatcher? watcher = null;
        List<StorageEvent>? replay = null;
        lock (_gate)
        {
            if (!_disposed)
            {
                (watcher, replay) = Register(prefix, options.ProgressNotify, from, fromNow);
            }
        }

        if (watcher is null)
        {
            yield break;
        }

        await foreach (var e in watcher.ReadAsync(replay, RemoveWatcher, ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>Registers a watcher after <paramref name="from"/> and snapshots its replay (cache lock).</summary>
    private (CacheWatcher Watcher, List<StorageEvent>? Replay) Register(string prefix, bool progressNotify, long from, bool fromNow)
    {
        if (!fromNow)
        {
            ThrowIfCompacted(from);
        }

        if (from < _ringStart)
        {
            if (!fromNow)
            {
                throw new RevisionCompactedException(from, _ringStart);
            }

            from = _ringStart; // the cache relisted after the call began: "now" is its list revision
        }

        List<StorageEvent>? replay = null;
        if (from < _revision)
        {
            replay = [];
            for (var i = _ring.FirstAfter(from); i < _ring.Count; i++)
            {
                var e = _ring[i];
                if (e.Kv!.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    replay.Add(e);
                }
            }
        }

        var watcher = new CacheWatcher(prefix, progressNotify, from, _revision, _options.WatchBufferSize);
        _watchers.Add(watcher);
        return (watcher, replay);
    }

    private void RemoveWatcher(CacheWatcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Queues a key event to every matching watcher; a full buffer cuts that watcher off (cache lock).</summary>
    private void Deliver(StorageEvent e)
    {
        var key = e.Kv!.Key;
        for (var i = _watchers.Count - 1; i >= 0; i--)
        {
            var w = _watchers[i];
            if (e.Revision <= w.MinRevision || !key.StartsWith(w.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            w.QueuedSinceTick = true;
            if (!w.TryWrite(e))
            {
                w.CloseLagged();
                _watchers.RemoveAt(i);
            }
        }
    }

    /// <summary>Passes an inner progress event on to the watchers that asked for them (cache lock).</summary>
    private void ForwardProgress(long revision)
    {
        StorageEvent? progress = null;
        foreach (var w in _watchers)
        {
            if (w.ProgressNotify && revision > w.MinRevision)
            {
                // A full buffer just skips the progress: the next event or tick carries the news.
                w.TryWrite(progress ??= new StorageEvent(StorageEventType.Progress, null, null, revision));
            }
        }
    }

    /// <summary>The progress timer: a progress event to every idle watcher that asked for them (also when nothing changed since
    /// its start: the API server turns these into BOOKMARKs).</summary>
    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed || !IsReady)
            {
                return;
            }

            StorageEvent? progress = null;
            foreach (var w in _watchers)
            {
                if (w.ProgressNotify && !w.QueuedSinceTick && _revision >= w.MinRevision)
                {
                    w.TryWrite(progress ??= new StorageEvent(StorageEventType.Progress, null, null, _revision));
                }

                w.QueuedSinceTick = false;
            }
        }
    }
}
