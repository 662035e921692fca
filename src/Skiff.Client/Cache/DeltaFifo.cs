using k8s;
using k8s.Models;

namespace Skiff.Client.Cache;

/// <summary>
/// client-go's <c>DeltaFIFO</c>: a queue of keys, each with the list of changes (deltas) its object went through since it
/// was last popped. Guarantees:
/// <list type="bullet">
/// <item>Keys are popped in the order they first became pending; all of a key's pending deltas come out together, in
/// the order they happened.</item>
/// <item>Two consecutive deletes of a key collapse into one (the one with a known final state wins).</item>
/// <item><see cref="Replace"/> (a relist) emits <see cref="DeltaType.Replaced"/> for every listed object and a
/// <see cref="DeltaType.Deleted"/> with <see cref="Delta{T}.IsFinalStateUnknown"/> for every key the cache
/// (<c>knownObjects</c>) or the queue has but the list lacks.</item>
/// <item><see cref="Resync"/> queues a <see cref="DeltaType.Sync"/> for every cached key that has nothing pending.</item>
/// <item><see cref="HasSynced"/> becomes true once everything from the first <see cref="Replace"/> has been popped.</item>
/// </list>
/// One consumer pops at a time. Thread-safe.
/// </summary>
public sealed class DeltaFifo<T> : IReflectorStore<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    // Guarded by _lock. Invariant: a key is in _queue exactly once iff it has an entry in _items, and every list in
    // _items is non-empty.
    private readonly object _lock = new();
    private readonly Dictionary<string, List<Delta<T>>> _items = new(StringComparer.Ordinal);
    private readonly Queue<string> _queue = new();
    private readonly IIndexer<T>? _knownObjects;
    private TaskCompletionSource _nonEmpty = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _populated;
    private int _initialPopulationCount;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;

    /// <param name="knownObjects">The cache the consumer maintains, used to detect deletions on relist and to resync.</param>
    public DeltaFifo(IIndexer<T>? knownObjects = null)
    {
        _knownObjects = knownObjects;
    }

    /// <summary>True when the first list has been delivered in full.</summary>
    public bool HasSynced
    {
        get
        {
            lock (_lock)
            {
                return _populated && _initialPopulationCount == 0;
            }
        }
    }

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    public Task Synced => _synced.Task;

    /// <summary>The number of keys with pending deltas.</summary>
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

    public void Add(T obj) => Queue(DeltaType.Added, obj);

    public void Update(T obj) => Queue(DeltaType.Updated, obj);

    public void Delete(T obj)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_lock)
        {
            _populated = true;

            // Nothing to delete: neither cached nor pending.
            if (_knownObjects is not null && _knownObjects.GetByKey(key) is null && !_items.ContainsKey(key))
            {
                return;
            }

            QueueLocked(key, new Delta<T>(DeltaType.Deleted, obj));
        }
    }

    public void Replace(IReadOnlyList<T> items, string resourceVersion)
    {
        lock (_lock)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var obj in items)
            {
                var key = ObjectKeys.KeyOf(obj);
                keys.Add(key);
                QueueLocked(key, new Delta<T>(DeltaType.Replaced, obj));
            }

            // Pending keys the list lacks: deleted while we were not watching.
            foreach (var (key, deltas) in _items.ToList())
            {
                if (keys.Contains(key) || deltas[^1].Type == DeltaType.Deleted)
                {
                    continue;
                }

                QueueLocked(key, new Delta<T>(DeltaType.Deleted, deltas[^1].Object, IsFinalStateUnknown: true));
            }

            if (_knownObjects is not null)
            {
                foreach (var key in _knownObjects.ListKeys())
                {
                    if (keys.Contains(key) || (_items.TryGetValue(key, out var pending) && pending[^1].Type == DeltaType.Deleted))
                    {
                        continue;
                    }

                    if (_knownObjects.GetByKey(key) is { } known)
                    {
                                QueueLocked(key, new Delta<T>(DeltaType.Deleted, known, IsFinalStateUnknown: true));
                    }
                }
            }

            if (!_populated)
            {
                _populated = true;
                _initialPopulationCount = _queue.Count;
                if (_initialPopulationCount == 0)
                {
                    _synced.TrySetResult();
                }
            }

            _ = resourceVersion; // kept by the reflector; the queue needs no version
        }
    }

    public void Resync()
    {
        if (_knownObjects is null)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var key in _knownObjects.ListKeys())
            {
                if (_items.ContainsKey(key) || _knownObjects.GetByKey(key) is not { } obj)
                {
                    continue;
                }

                QueueLocked(key, new Delta<T>(DeltaType.Sync, obj));
            }
        }
    }

    /// <summary>
    /// Waits for a key with pending deltas, removes it and hands its deltas (oldest first) to <paramref name="process"/>.
    /// Items of the first list count as delivered (for <see cref="HasSynced"/>) only once <paramref name="process"/> returns.
    /// One consumer at a time.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled, or the queue was closed and is empty.</exception>
    public async Task PopAsync(Action<PoppedDeltas<T>> process, CancellationToken ct)
    {
        PoppedDeltas<T> popped;
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    var deltas = _items[key];
                    _items.Remove(key);
                    if (_queue.Count == 0)
                    {
                        _nonEmpty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    popped = new PoppedDeltas<T>(key, deltas, _initialPopulationCount > 0);
                    break;
                }

                if (_closed)
                {
                    throw new OperationCanceledException("the DeltaFifo is closed");
                }

                wait = _nonEmpty.Task;
            }

            await wait.WaitAsync(ct).ConfigureAwait(false);
        }

        try
        {
            process(popped);
        }
        finally
        {
            if (popped.IsInInitialList)
            {
                lock (_lock)
                {
                    if (--_initialPopulationCount == 0)
                    {
                        _synced.TrySetResult();
                    }
                }
            }
        }
    }

    /// <summary>Ends every pending and future <see cref="PopAsync"/> once the queue is empty.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _nonEmpty.TrySetResult();
        }
    }

    private void Queue(DeltaType type, T obj)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_lock)
        {
            _populated = true;
            QueueLocked(key, new Delta<T>(type, obj));
        }
    }

    private void QueueLocked(string key, Delta<T> delta)
    {
        if (!_items.TryGetValue(key, out var deltas))
        {
            deltas = [];
            _items[key] = deltas;
            _queue.Enqueue(key);
            _nonEmpty.TrySetResult();
        }

        // Collapse two deletes in a row, keeping the one whose final state is known.
        if (delta.Type == DeltaType.Deleted && deltas.Count > 0 && deltas[^1].Type == DeltaType.Deleted)
        {
            if (deltas[^1].IsFinalStateUnknown)
            {
                deltas[^1] = delta;
            }

            return;
        }

        deltas.Add(delta);
    }
}
