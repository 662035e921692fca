using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>Reads: served from memory when the cache can answer exactly, otherwise from the inner store.</summary>
internal sealed partial class WatchCache
{
    private int _probeTimeouts; // consecutive probes that got no progress event in time

    /// <summary>
    /// Lists <paramref name="prefix"/> (under <see cref="Prefix"/>): at an exact revision from the ring when it is within
    /// the cache's window; "not older than" from memory once the cache has reached that revision; latest from memory once
    /// the cache is proven current (see <c>EnsureFreshAsync</c>). Everything else reads the inner store.
    /// </summary>
    public async Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        EnsureStarted();
        if (options.Revision != 0)
        {
            lock (_gate)
            {
                if (IsReady && TryListAt(prefix, options, options.Revision) is { } exact)
                {
                    return exact;
                }
            }

            return await _inner.ListAsync(prefix, options, ct).ConfigureAwait(false);
        }

        if (!await WaitReadyAsync(ct).ConfigureAwait(false))
        {
            return await _inner.ListAsync(prefix, options with { NotOlderThan = null }, ct).ConfigureAwait(false);
        }

        long need;
        var waitWhenEmpty = false;
        if (options.NotOlderThan is { } min)
        {
            lock (_gate)
            {
                if (_revision >= min)
                {
                    return ListCurrent(prefix, options);
                }
            }

            var current = await _inner.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
            if (min > current)
            {
                throw new FutureRevisionException(min, current);
            }

            need = min;
            waitWhenEmpty = true; // the cache's own watch brings what is missing; nothing asks for the very latest
        }
        else
        {
            need = await _inner.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
        }

        var fresh = await EnsureFreshAsync(need, waitWhenEmpty, ct).ConfigureAwait(false);
        lock (_gate)
        {
            if (fresh && _revision >= need)
            {
                return ListCurrent(prefix, options);
            }

            if (options.NotOlderThan is not null && !_disposed)
            {
                // Upstream's waitUntilFreshAndBlock: a "not older than" read the cache cannot reach in time fails with
                // "Too large resource version" (504, retry after 1 s) rather than silently reading the store.
                throw new FutureRevisionException(need, _revision);
            }
        }

        // A consistent read the cache cannot prove fresh in time falls back to the store, as upstream's does.
        return await _inner.ListAsync(prefix, options with { NotOlderThan = null }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The current value of <paramref name="key"/> from memory when the cache is loaded and at
    /// <paramref name="notOlderThan"/> or later (a get with resourceVersion "0" or N); false when the store must answer.
    /// </summary>
    public bool TryGetCurrent(string key, long notOlderThan, out KeyValue? value)
    {
        EnsureStarted();
        lock (_gate)
        {
            if (_disposed || !IsReady || _revision < notOlderThan)
            {
                value = null;
                return false;
            }

            value = _items.Get(key);
            return true;
        }
    }

    /// <summary>
    /// Reads <paramref name="key"/> at the exact <paramref name="revision"/> (&gt; 0) from memory when the revision is within
    /// the cache's window; <c>found</c> is false when the inner store must answer instead.
    /// </summary>
    public (bool Found, KeyValue? Value) TryGetAt(string key, long revision)
    {
        EnsureStarted();
        lock (_gate)
        {
            if (!IsReady || revision > _revision)
            {
                return (false, null);
            }

            ThrowIfCompacted(revision);
            if (revision < _ringStart)
            {
                return (false, null);
            }

            for (var i = _ring.FirstAfter(revision); i < _ring.Count; i++)
            {
                var e = _ring[i];
                if (e.Kv!.Key == key)
                {
                    // The first change after the revision tells what the key held at it.
                    return e.Type == StorageEventType.Added ? (true, null) : e.PrevKv is null ? (false, null) : (true, e.PrevKv);
                }
            }

            return (true, _items.Get(key));
        }
    }

    private bool IsReady => _ready.Task.IsCompletedSuccessfully;

    private void ThrowIfCompacted(long revision)
    {
        if (revision < _compacted)
        {
            throw new RevisionCompactedException(revision, _compacted);
        }
    }

    private async Task<bool> WaitReadyAsync(CancellationToken ct)
    {
        if (IsReady)
        {
            return true;
        }

        try
        {
            await _ready.Task.WaitAsync(_options.ConsistentReadTimeout, _options.TimeProvider, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Brings the cache to <paramref name="revision"/> or later, within <see cref="CachingStorageOptions.ConsistentReadTimeout"/>;
    /// false when that failed (the caller then reads the inner store). Upstream requests a watch progress notification from
    /// etcd and waits for its own watch; here the reader opens a short inner watch from the cache's revision C instead (see
    /// <see cref="CatchUpAsync"/>), which needs no extra contract and no background hop.
    /// </summary>
    /// <param name="revision">The revision to reach.</param>
    /// <param name="waitWhenEmpty">
    /// What to do when the cache is at revision 0, where a catch-up watch is impossible (a watch from 0 starts "now"):
    /// wait for the cache's own watch (true) or give up at once (false).
    /// </param>
    /// <param name="ct">Cancellation.</param>
    private async Task<bool> EnsureFreshAsync(long revision, bool waitWhenEmpty, CancellationToken ct)
    {
        long from;
        lock (_gate)
        {
            if (_revision >= revision)
            {
                return true;
            }

            if (_disposed || _probeTimeouts >= 3)
            {
                return false; // the inner store sends no progress events on demand: read it instead
            }

            from = _revision;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        timeout.CancelAfter(_options.ConsistentReadTimeout);
        if (from == 0)
        {
            return waitWhenEmpty && await WaitForRevisionAsync(revision, timeout.Token).ConfigureAwait(false);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (!await CatchUpAsync(from, timeout, ct).ConfigureAwait(false))
            {
                return false;
            }

            lock (_gate)
            {
                if (_revision >= revision)
                {
                    return true;
                }

                from = _revision;
            }
        }

        return false;
    }

    /// <summary>
    /// Opens a short inner watch from <paramref name="from"/> (≤ the cache's revision) with progress notification. Its replay
    /// holds every event under the prefix in (from, P], P being the revision of its first progress event; applying the ones
    /// the cache lacks (the cache's own watch skips them later as duplicates) makes the cache exact at P.
    /// </summary>
    private async Task<bool> CatchUpAsync(long from, CancellationTokenSource timeout, CancellationToken ct)
    {
        var events = new List<StorageEvent>();
        long progress = -1;
        try
        {
            await foreach (var e in _inner.WatchAsync(Prefix, new WatchOptions(from, ProgressNotify: true), timeout.Token).ConfigureAwait(false))
            {
                if (e.Type == StorageEventType.Progress)
                {
                    progress = e.Revision;
                    break;
                }

                events.Add(e);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _probeTimeouts);
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            return false; // compacted, unavailable, disposed: the read falls back to the inner store
        }

        if (progress < 0)
        {
            return false;
        }

        Interlocked.Exchange(ref _probeTimeouts, 0);
        lock (_gate)
        {
            if (_disposed || _revision < from)
            {
                return false; // relisted to an older revision meanwhile (cannot happen with a sane store)
            }

            foreach (var e in events)
            {
                ApplyLocked(e);
            }

            if (progress > _revision)
            {
                SetRevision(progress);
            }

            if (_blocked.Count > 0)
            {
                // Watchers these events found full are waited for as the inner-watch loop waits, without holding this read.
                _ = Task.Run(
                    async () =>
                    {
                        try
                        {
                            await DispatchBlockedAsync().ConfigureAwait(false);
                        }
                        catch (ObjectDisposedException)
                        {
                            // The cache was disposed meanwhile: its watchers are closed.
                        }
                    },
                    CancellationToken.None);
            }
        }

        return true;
    }

    /// <summary>Waits until the cache's revision reaches <paramref name="revision"/>; false when cancelled first.</summary>
    private async Task<bool> WaitForRevisionAsync(long revision, CancellationToken ct)
    {
        while (true)
        {
            Task advanced;
            lock (_gate)
            {
                if (_revision >= revision)
                {
                    return true;
                }

                if (_disposed)
                {
                    return false;
                }

                _advanced ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                advanced = _advanced.Task;
            }

            try
            {
                await advanced.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>The list at the cache's revision (cache lock).</summary>
    private ListResult ListCurrent(string prefix, ListOptions options)
    {
        var limit = options.Limit > 0 && options.Limit < int.MaxValue ? (int)options.Limit : 0;
        var items = new List<KeyValue>(limit > 0 ? Math.Min(limit, _items.Count) : 16);
        var total = _items.CopyRange(prefix, options.StartAfter, limit, items);
        var remaining = total - items.Count;
        return new ListResult(items, _revision, remaining > 0, remaining);
    }

    /// <summary>
    /// The list at an exact revision: the current state with the ring's later changes undone. Null when the revision is
    /// outside the window (or a change lacks its previous value); throws when it is below a known compaction (cache lock).
    /// </summary>
    private ListResult? TryListAt(string prefix, ListOptions options, long revision)
    {
        if (revision < 0 || revision > _revision)
        {
            return null;
        }

        ThrowIfCompacted(revision);
        if (revision == _revision)
        {
            return ListCurrent(prefix, options);
        }

        if (revision < _ringStart)
        {
            return null;
        }

        // What each key changed after the revision held at it (null: absent), taken from its first change after it.
        var before = new Dictionary<string, KeyValue?>(StringComparer.Ordinal);
        for (var i = _ring.FirstAfter(revision); i < _ring.Count; i++)
        {
            var e = _ring[i];
            var key = e.Kv!.Key;
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || before.ContainsKey(key))
            {
                continue;
            }

            if (e.Type != StorageEventType.Added && e.PrevKv is null)
            {
                return null;
            }

            before[key] = e.Type == StorageEventType.Added ? null : e.PrevKv;
        }

        var startAfter = options.StartAfter is not null && StorageKeyComparer.Instance.Compare(options.StartAfter, prefix) >= 0
            ? options.StartAfter
            : null;
        var restored = before.Values
            .Where(kv => kv is not null && (startAfter is null || StorageKeyComparer.Instance.Compare(kv.Key, startAfter) > 0))
            .Select(kv => kv!)
            .OrderBy(kv => kv.Key, StorageKeyComparer.Instance)
            .ToList();
        var merged = new List<KeyValue>();
        var r = 0;
        foreach (var kv in _items.Range(prefix, startAfter))
        {
            while (r < restored.Count && StorageKeyComparer.Instance.Compare(restored[r].Key, kv.Key) < 0)
            {
                merged.Add(restored[r++]);
            }

            if (!before.ContainsKey(kv.Key))
            {
                merged.Add(kv);
            }
        }

        while (r < restored.Count)
        {
            merged.Add(restored[r++]);
        }

        var take = options.Limit > 0 && options.Limit < merged.Count ? (int)options.Limit : merged.Count;
        var remaining = merged.Count - take;
        if (remaining > 0)
        {
            merged.RemoveRange(take, remaining);
        }

        return new ListResult(merged, revision, remaining > 0, remaining);
    }
}
