namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// A byte budget over cached items, released oldest first: each <see cref="Charge(Ticket)"/> records an item and its
/// size, and while the recorded sizes exceed <see cref="Budget"/> the oldest items are dropped from the ledger and handed
/// to the eviction callback (outside the ledger's lock, so the callback may take its owner's lock). An item its owner
/// drops by itself (replaced by a newer one) is <see cref="Release"/>d: it leaves the ledger at once, without the
/// callback. The ledger holds the items it counts, so what it holds is never more than the budget plus one item being
/// charged.
/// </summary>
/// <typeparam name="T">What is charged (the callback removes it from wherever it is cached).</typeparam>
internal sealed class FifoByteBudget<T>(long budget, Action<T> evict)
{
    private readonly LinkedList<Ticket> _items = new();
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

    /// <summary>Charges <paramref name="item"/> of <paramref name="bytes"/> (see <see cref="Charge(Ticket)"/>) and returns its ticket.</summary>
    public Ticket Charge(T item, long bytes)
    {
        var ticket = new Ticket(item, bytes);
        Charge(ticket);
        return ticket;
    }

    /// <summary>Records <paramref name="ticket"/> and evicts the oldest items past the budget (possibly this one) in the
    /// same step: <see cref="Held"/> is never seen above <see cref="Budget"/>. A ticket already charged or released is
    /// not charged again.</summary>
    public void Charge(Ticket ticket) => Evict(Take(ticket));

    /// <summary>
    /// Takes <paramref name="ticket"/> out of the ledger without calling the eviction callback (its owner dropped the
    /// item itself). Releasing a ticket before it is charged keeps it from being charged; releasing one already evicted
    /// or released does nothing.
    /// </summary>
    public void Release(Ticket ticket)
    {
        lock (_gate)
        {
            if (ticket.Done)
            {
                return;
            }

            ticket.Done = true;
            if (ticket.Node is { } node)
            {
                _items.Remove(node);
                ticket.Node = null;
                _held -= ticket.Bytes;
            }
        }
    }

    private void Trim() => Evict(Take(null));

    /// <summary>Charges <paramref name="ticket"/> (unless null or done) and dequeues what is past the budget.</summary>
    private List<T>? Take(Ticket? ticket)
    {
        List<T>? victims = null;
        lock (_gate)
        {
            if (ticket is { Done: false, Node: null })
            {
                ticket.Node = _items.AddLast(ticket);
                _held += ticket.Bytes;
            }

            while (_held > _budget && _items.First is { } oldest)
            {
                _items.RemoveFirst();
                var victim = oldest.Value;
                victim.Node = null;
                victim.Done = true;
                _held -= victim.Bytes;
                (victims ??= []).Add(victim.Item);
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

    /// <summary>One charge: an item and its size, charged at most once and then evicted or released at most once.</summary>
    /// <param name="item">What is charged.</param>
    /// <param name="bytes">What it costs.</param>
    internal sealed class Ticket(T item, long bytes)
    {
        /// <summary>What is charged.</summary>
        public T Item { get; } = item;

        /// <summary>What it costs.</summary>
        public long Bytes { get; } = bytes;

        /// <summary>Its place in the ledger while charged (guarded by the ledger's lock).</summary>
        internal LinkedListNode<Ticket>? Node { get; set; }

        /// <summary>Evicted or released: never charged (again) (guarded by the ledger's lock).</summary>
        internal bool Done { get; set; }
    }
}
