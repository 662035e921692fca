namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// A byte budget over cached items, released oldest first: each <see cref="Charge"/> records an item and its size, and
/// while the recorded sizes exceed <see cref="Budget"/> the oldest items are dropped from the ledger and handed to the
/// eviction callback (outside the ledger's lock, so the callback may take its owner's lock). The ledger holds the items
/// it counts, so what it holds is never more than the budget plus one item being charged.
/// </summary>
/// <typeparam name="T">What is charged (the callback removes it from wherever it is cached).</typeparam>
internal sealed class FifoByteBudget<T>(long budget, Action<T> evict)
{
    private readonly Queue<(T Item, long Bytes)> _items = new();
    private readonly Lock _gate = new();
    private long _held;
    private long _budget = budget;

    /// <summary>The most bytes kept; lowering it evicts at once.</summary>
    public long Budget
    {
        get => Volatile.Read(ref _budget);
        set
        {
            Volatile.Write(ref _budget, value);
            Trim();
        }
    }

    /// <summary>The bytes of the items currently charged.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>The number of items currently charged.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Whether an item of <paramref name="bytes"/> can be kept at all (it is not larger than the whole budget).</summary>
    public bool Fits(long bytes) => bytes <= Budget;

    /// <summary>Records <paramref name="item"/> of <paramref name="bytes"/> and evicts the oldest items past the budget
    /// (possibly this one) in the same step: <see cref="Held"/> is never seen above <see cref="Budget"/>.</summary>
    public void Charge(T item, long bytes) => Evict(Take(item, bytes));

    private void Trim() => Evict(Take(default, -1));

    /// <summary>Charges <paramref name="item"/> (unless <paramref name="bytes"/> is negative) and dequeues what is past the budget.</summary>
    private List<T>? Take(T? item, long bytes)
    {
        List<T>? victims = null;
        lock (_gate)
        {
            if (bytes >= 0)
            {
                _items.Enqueue((item!, bytes));
                _held += bytes;
            }

            while (_held > _budget && _items.TryDequeue(out var oldest))
            {
                _held -= oldest.Bytes;
                (victims ??= []).Add(oldest.Item);
            }
        }

        return victims;
    }

    private void Evict(List<T>? victims)
    {
        if (victims is null)
        {
            return;
        }

        foreach (var victim in victims)
        {
            evict(victim);
        }
    }
}
