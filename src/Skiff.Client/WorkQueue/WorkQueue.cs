using System.Runtime.CompilerServices;

namespace Skiff.Client.WorkQueue;

/// <summary>
/// The basic <see cref="IWorkQueue{T}"/>. <see cref="DelayingQueue{T}"/> and <see cref="RateLimitingQueue{T}"/> build on it.
/// </summary>
public class WorkQueue<T> : IWorkQueue<T>
    where T : notnull
{
    // Invariants, all guarded by _lock (client-go's queue/dirty/processing):
    // - _dirty holds every item that needs processing: each item in _queue, plus items re-added while processing.
    // - _processing holds items handed out and not yet Done. An item in _processing is never in _queue.
    // - an item is in _queue at most once, and only if it is in _dirty.
    // - _waiters is non-empty only while _queue is empty.
    private readonly object _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty;
    private readonly HashSet<T> _processing;
    private readonly Dictionary<T, long> _addedAt;
    private readonly Dictionary<T, long> _takenAt;
    private readonly LinkedList<TaskCompletionSource<T>> _waiters = new();
    private TaskCompletionSource? _drained;
    private bool _shuttingDown;

    public WorkQueue(WorkQueueOptions? options = null, IEqualityComparer<T>? comparer = null)
    {
        options ??= new WorkQueueOptions();
        TimeProvider = options.TimeProvider;
        Metrics = options.Metrics
            ?? (options.Name.Length > 0 ? new MeterWorkQueueMetrics(options.Name, options.TimeProvider) : NullWorkQueueMetrics.Instance);
        _dirty = new HashSet<T>(comparer);
        _processing = new HashSet<T>(comparer);
        _addedAt = new Dictionary<T, long>(comparer);
        _takenAt = new Dictionary<T, long>(comparer);
    }

    /// <summary>The queue's clock.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>The queue's metrics sink.</summary>
    protected IWorkQueueMetrics Metrics { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>The number of items handed out by <c>Get</c> and not yet marked done (being processed).</summary>
    public int ProcessingCount
    {
        get
        {
            lock (_lock)
            {
                return _processing.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        int depth;
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }

            _addedAt[item] = TimeProvider.GetTimestamp();
            if (_processing.Contains(item))
            {
                // Queued again by Done.
                depth = _queue.Count;
            }
            else
            {
                Enqueue(item);
                depth = _queue.Count;
            }
        }

        Metrics.Added(depth);
    }

    public ValueTask<T> GetAsync(CancellationToken ct = default)
    {
        TaskCompletionSource<T> waiter;
        LinkedListNode<TaskCompletionSource<T>> node;
        lock (_lock)
        {
            ct.ThrowIfCancellationRequested();
            if (_queue.Count > 0)
            {
                var item = _queue.Dequeue();
                var latency = Take(item);
                var depth = _queue.Count;
                Metrics.Taken(latency, depth);
                return ValueTask.FromResult(item);
            }

            if (_shuttingDown)
            {
                return ValueTask.FromException<T>(new WorkQueueShutDownException());
            }

            waiter = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(() =>
            {
                lock (_lock)
                {
                    // Only a waiter still in the list may be cancelled: once removed it owns (or was refused) an item.
                    if (node.List is null)
                    {
                        return;
                    }

                    _waiters.Remove(node);
                }

                waiter.TrySetCanceled(ct);
            });
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return new ValueTask<T>(waiter.Task);
    }

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            T item;
            try
            {
                item = await GetAsync(ct).ConfigureAwait(false);
            }
            catch (WorkQueueShutDownException)
            {
                yield break;
            }

            yield return item;
        }
    }

    public void Done(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        TimeSpan? duration = null;
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (!_processing.Remove(item))
            {
                return;
            }

            if (_takenAt.Remove(item, out var start))
            {
                duration = TimeProvider.GetElapsedTime(start);
            }

            if (_dirty.Contains(item))
            {
                Enqueue(item);
            }
            else if (_processing.Count == 0 && _drained is not null)
            {
                drained = _drained;
            }
        }

        if (duration is { } d)
        {
            Metrics.Completed(d);
        }

        drained?.TrySetResult();
    }

    public virtual void ShutDown()
    {
        List<TaskCompletionSource<T>> waiters;
        lock (_lock)
        {
            _shuttingDown = true;
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var w in waiters)
        {
            w.TrySetException(new WorkQueueShutDownException());
        }
    }

    public async Task ShutDownWithDrainAsync(CancellationToken ct = default)
    {
        Task wait;
        lock (_lock)
        {
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_processing.Count == 0)
            {
                _drained.TrySetResult();
            }

            wait = _drained.Task;
        }

        ShutDown();
        await wait.WaitAsync(ct).ConfigureAwait(false);
    }

    // Called under _lock: puts a dirty item on the queue or hands it straight to a waiting GetAsync.
    private void Enqueue(T item)
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _addedAt.TryGetValue(item, out var addedAt);
            var latency = Take(item);
            if (first.Value.TrySetResult(item))
            {
                Metrics.Taken(latency, _queue.Count);
                return;
            }

            // The waiter was cancelled concurrently: undo and try the next one.
            _processing.Remove(item);
            _takenAt.Remove(item);
            _dirty.Add(item);
            _addedAt[item] = addedAt;
        }

        _queue.Enqueue(item);
    }

    // Called under _lock: moves an item from dirty to processing.
    private TimeSpan Take(T item)
    {
        _dirty.Remove(item);
        _processing.Add(item);
        var now = TimeProvider.GetTimestamp();
        _takenAt[item] = now;
        return _addedAt.Remove(item, out var added) ? TimeProvider.GetElapsedTime(added, now) : TimeSpan.Zero;
    }
}
