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
            watcher.Pending = null;
            _watchers.Remove(watcher);
        }
    }

    /// <summary>
    /// Queues a key event to every matching watcher without waiting (cache lock); a watcher whose buffer is full keeps it
    /// in its pending queue and is left to <see cref="DispatchBlockedAsync"/>. True when some watcher is blocked.
    /// </summary>
    private bool Deliver(StorageEvent e)
    {
        var key = e.Kv!.Key;
        foreach (var w in _watchers)
        {
            if (e.Revision <= w.MinRevision || !key.StartsWith(w.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            w.QueuedSinceTick = true;
            if (w.Pending is { } pending)
            {
                pending.Enqueue(e);
            }
            else if (!w.TryWrite(e))
            {
                w.Pending = new Queue<StorageEvent>([e]);
                _blocked.Add(w);
            }
        }

        return _blocked.Count > 0;
    }

    /// <summary>
    /// Upstream's cacher dispatch for watchers whose buffer was full: wait (outside the cache's lock) for each to make room,
    /// all of them together within what the <see cref="DispatchBudget"/> allows, then cut off those still full. The one
    /// inner-watch loop calls it after each event it applied, so the next event waits as upstream's dispatcher makes it.
    /// </summary>
    private async Task DispatchBlockedAsync()
    {
        CacheWatcher[] blocked;
        lock (_gate)
        {
            blocked = [.. _blocked];
            _blocked.Clear();
        }

        if (blocked.Length == 0)
        {
            return;
        }

        var time = _options.TimeProvider;
        var available = _budget.TakeAvailable();
        var started = time.GetTimestamp();
        using var timer = available > TimeSpan.Zero ? new CancellationTokenSource(available, time) : new CancellationTokenSource();
        if (available <= TimeSpan.Zero)
        {
            await timer.CancelAsync().ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, _stop.Token);
        foreach (var w in blocked)
        {
            await DrainAsync(w, linked.Token).ConfigureAwait(false);
        }

        _budget.ReturnUnused(available - time.GetElapsedTime(started));
    }

    /// <summary>Moves <paramref name="w"/>'s pending events into its buffer as room appears; cuts it off when <paramref name="timer"/> fires first.</summary>
    private async Task DrainAsync(CacheWatcher w, CancellationToken timer)
    {
        while (true)
        {
            lock (_gate)
            {
                if (w.Pending is not { } pending)
                {
                    return; // ended meanwhile
                }

                while (pending.TryPeek(out var e) && w.TryWrite(e))
                {
                    pending.Dequeue();
                }

                if (pending.Count == 0)
                {
                    w.Pending = null;
                    return;
                }

                if (timer.IsCancellationRequested)
                {
                    // Still full when the budget ran out: the watcher ends after what it has; the client resumes from there.
                    w.Pending = null;
                    w.CloseLagged();
                    _watchers.Remove(w);
                    return;
                }
            }

            try
            {
                if (!await w.WaitToWriteAsync(timer).ConfigureAwait(false))
                {
                    return; // closed: its reader is gone
                }
            }
            catch (OperationCanceledException)
            {
                // One last non-blocking attempt above, then cut off.
            }
        }
    }

    /// <summary>Passes an inner progress event on to the watchers that asked for them (cache lock).</summary>
    private void ForwardProgress(long revision)
    {
        StorageEvent? progress = null;
        foreach (var w in _watchers)
        {
            if (w.ProgressNotify && revision > w.MinRevision && w.Pending is null)
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
                if (w.ProgressNotify && !w.QueuedSinceTick && _revision >= w.MinRevision && w.Pending is null)
                {
                    w.TryWrite(progress ??= new StorageEvent(StorageEventType.Progress, null, null, _revision));
                }

                w.QueuedSinceTick = false;
            }
        }
    }
}
