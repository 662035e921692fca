using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>Reads: served from memory when the cache can answer exactly, otherwise from the inner store.</summary>
internal sealed partial class WatchCache
{
    private int _probeTimeouts; // consecutive probes that got no progress event in time
    private Task<bool>? _probe;

    /// <summary>
    /// Lists <paramref name="prefix"/> (under <see cref="Prefix"/>): at an exact revision from the ring when it is within
    /// the cache's window; "not older than" from memory once the cache has reached that revision; latest from memory once
    /// the cache is proven current (see <see cref="EnsureFreshAsync"/>). Everything else reads the inner store.
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
        }
        else
        {
            need = await _inner.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
        }

        if (await EnsureFreshAsync(need, ct).ConfigureAwait(false))
        {
            lock (_gate)
            {
                if (_revision >= need)
                {
                    return ListCurrent(prefix, options);
                }
            }
        }

        return await _inner.ListAsync(prefix, options with { NotOlderThan = null }, ct).ConfigureAwait(false);
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

            var at = IndexOf(key);
            return (true, at >= 0 ? _items[at] : null);
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
    /// Waits, at most <see cref="CachingStorageOptions.ConsistentReadTimeout"/>, until the cache is exact at
    /// <paramref name="revision"/> or later. Events in flight arrive through the cache's watch; when the cache is behind
    /// because of writes elsewhere, a probe proves that nothing under the prefix changed (upstream requests a watch
    /// progress notification from etcd for the same purpose).
    /// </summary>
    private async Task<bool> EnsureFreshAsync(long revision, CancellationToken ct)
    {
        var started = _options.TimeProvider.GetTimestamp();
        while (true)
        {
            Task<bool> probe;
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

                if (_probe is null || _probe.IsCompleted)
                {
                    _probe = Task.Run(() => ProbeAsync(_stop.Token), CancellationToken.None);
                }

                probe = _probe;
            }

            var left = _options.ConsistentReadTimeout - _options.TimeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                if (!await probe.WaitAsync(left, _options.TimeProvider, ct).ConfigureAwait(false))
                {
                    return false; // the probe failed: the inner store answers this read
                }
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Opens a short inner watch from the cache's revision C with progress notification. Its replay holds every event under
    /// the prefix in (C, P], P being the revision of its first progress event. Once the cache has applied the last of them
    /// (through its own watch), nothing under the prefix changed between that event and P, so the cache is exact at P.
    /// </summary>
    private async Task<bool> ProbeAsync(CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ConsistentReadTimeout);
        var from = Revision;
        var lastEvent = from;
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

                lastEvent = e.Revision;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _probeTimeouts);
            return false;
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
        if (!await WaitForRevisionAsync(lastEvent, timeout.Token).ConfigureAwait(false))
        {
            return false;
        }

        lock (_gate)
        {
            if (!_disposed && _revision >= lastEvent && _revision < progress)
            {
                SetRevision(progress);
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
        var start = options.StartAfter is not null && StorageKeyComparer.Instance.Compare(options.StartAfter, prefix) >= 0
            ? UpperBound(options.StartAfter)
            : LowerBound(prefix);
        var end = EndOfPrefix(prefix, start);
        var count = end - start;
        var take = options.Limit > 0 && options.Limit < count ? (int)options.Limit : count;
        var remaining = count - take;
        return new ListResult(_items.GetRange(start, take), _revision, remaining > 0, remaining);
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

        // What each key changed after the revision held at it (null: absent), keyed by the first change after it.
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
        var start = startAfter is not null ? UpperBound(startAfter) : LowerBound(prefix);
        var end = EndOfPrefix(prefix, start);
        var merged = new List<KeyValue>(end - start + restored.Count);
        var r = 0;
        for (var i = start; i < end; i++)
        {
            var kv = _items[i];
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

    private int LowerBound(string key)
    {
        var i = IndexOf(key);
        return i >= 0 ? i : ~i;
    }

    private int UpperBound(string key)
    {
        var i = IndexOf(key);
        return i >= 0 ? i + 1 : ~i;
    }

    /// <summary>The first index at or after <paramref name="start"/> whose key does not start with <paramref name="prefix"/>.</summary>
    private int EndOfPrefix(string prefix, int start)
    {
        // From start on, the keys under the prefix come first (byte order keeps a prefix range contiguous).
        int lo = start, hi = _items.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_items[mid].Key.StartsWith(prefix, StringComparison.Ordinal))
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
}
