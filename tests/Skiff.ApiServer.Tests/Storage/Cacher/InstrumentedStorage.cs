using System.Runtime.CompilerServices;
using Skiff.Storage;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>
/// A pass-through <see cref="IStorage"/> that counts the calls reaching the real store and can disturb its watches:
/// hold their events, hold new watches, or break the open ones with an error; and hold compare-and-swaps or run a
/// hook right before each one.
/// </summary>
public sealed class InstrumentedStorage(IStorage inner) : IStorage
{
    private readonly Lock _gate = new();
    private readonly List<(CancellationTokenSource Cts, Box Error)> _open = [];
    private TaskCompletionSource _events = Released();
    private TaskCompletionSource _newWatches = Released();
    private TaskCompletionSource _swaps = Released();
    private int _lists, _gets, _watches, _currentRevisions, _swapCalls;

    public int Lists => Volatile.Read(ref _lists);

    public int Gets => Volatile.Read(ref _gets);

    public int Watches => Volatile.Read(ref _watches);

    public int CurrentRevisionCalls => Volatile.Read(ref _currentRevisions);

    /// <summary>The compare-and-swaps that reached the real store.</summary>
    public int Swaps => Volatile.Read(ref _swapCalls);

    /// <summary>Runs (awaited) before each compare-and-swap reaches the real store, with its key.</summary>
    public Func<string, Task>? BeforeSwap { get; set; }

    /// <summary>Compare-and-swaps wait before reaching the real store until <see cref="ReleaseSwaps"/>.</summary>
    public void HoldSwaps()
    {
        lock (_gate)
        {
            _swaps = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseSwaps()
    {
        lock (_gate)
        {
            _swaps.TrySetResult();
        }
    }

    /// <summary>Stops every watch from yielding events until <see cref="ReleaseEvents"/>.</summary>
    public void HoldEvents()
    {
        lock (_gate)
        {
            _events = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseEvents()
    {
        lock (_gate)
        {
            _events.TrySetResult();
        }
    }

    /// <summary>New watches wait before reaching the real store until <see cref="ReleaseNewWatches"/>.</summary>
    public void HoldNewWatches()
    {
        lock (_gate)
        {
            _newWatches = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseNewWatches()
    {
        lock (_gate)
        {
            _newWatches.TrySetResult();
        }
    }

    /// <summary>Makes every open watch throw <paramref name="error"/>.</summary>
    public void BreakWatches(Exception error)
    {
        lock (_gate)
        {
            foreach (var (cts, box) in _open)
            {
                box.Value = error;
                cts.Cancel();
            }
        }
    }

    public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _currentRevisions);
        return inner.GetCurrentRevisionAsync(ct);
    }

    public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct) => inner.CreateAsync(key, value, ct);

    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct)
    {
        Interlocked.Increment(ref _gets);
        return inner.GetAsync(key, revision, ct);
    }

    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        Interlocked.Increment(ref _lists);
        return inner.ListAsync(prefix, options, ct);
    }

    public Task<long> CountAsync(string prefix, CancellationToken ct) => inner.CountAsync(prefix, ct);

    public async Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        Task held;
        lock (_gate)
        {
            held = _swaps.Task;
        }

        await held.WaitAsync(ct).ConfigureAwait(false);
        if (BeforeSwap is { } hook)
        {
            await hook(key).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _swapCalls);
        return await inner.CompareAndSwapAsync(key, expectedModRevision, value, ct).ConfigureAwait(false);
    }

    public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct) =>
        inner.CompareAndDeleteAsync(key, expectedModRevision, ct);

    public async IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        Interlocked.Increment(ref _watches);
        Task gate;
        lock (_gate)
        {
            gate = _newWatches.Task;
        }

        await gate.WaitAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var box = new Box();
        var entry = (cts, box);
        lock (_gate)
        {
            _open.Add(entry);
        }

        try
        {
            await using var e = inner.WatchAsync(prefix, options, cts.Token).GetAsyncEnumerator(cts.Token);
            while (true)
            {
                bool more;
                try
                {
                    more = await e.MoveNextAsync();
                    if (more)
                    {
                        Task events;
                        lock (_gate)
                        {
                            events = _events.Task;
                        }

                        await events.WaitAsync(cts.Token);
                    }
                }
                catch (OperationCanceledException) when (box.Value is not null)
                {
                    throw box.Value;
                }

                if (box.Value is not null)
                {
                    throw box.Value; // broken while an item was already on its way: it is not delivered
                }

                if (!more)
                {
                    yield break;
                }

                yield return e.Current;
            }
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(entry);
            }
        }
    }

    public Task CompactAsync(long revision, CancellationToken ct) => inner.CompactAsync(revision, ct);

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct) => inner.GetCompactedRevisionAsync(ct);

    public Task<HealthResult> CheckHealthAsync(CancellationToken ct) => inner.CheckHealthAsync(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static TaskCompletionSource Released()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.TrySetResult();
        return tcs;
    }

    private sealed class Box
    {
        public Exception? Value { get; set; }
    }
}
