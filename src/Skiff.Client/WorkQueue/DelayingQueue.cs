namespace Skiff.Client.WorkQueue;

/// <summary>
/// The <see cref="IDelayingQueue{T}"/>: waiting items sit in a priority queue ordered by ready time, and one
/// <see cref="ITimer"/> from the queue's <see cref="TimeProvider"/> fires at the earliest ready time.
/// </summary>
public class DelayingQueue<T> : WorkQueue<T>, IDelayingQueue<T>
    where T : notnull
{
    // Guarded by _lock: _readyAt holds each waiting item's ready time (the earliest asked for); _heap may hold stale
    // entries for an item whose ready time moved earlier, recognised by a mismatch with _readyAt and skipped.
    private readonly object _lock = new();
    private readonly Dictionary<T, long> _readyAt;
    private readonly PriorityQueue<T, long> _heap = new();
    private readonly ITimer _timer;
    private long _timerDue = long.MaxValue;
    private bool _stopped;

    public DelayingQueue(WorkQueueOptions? options = null, IEqualityComparer<T>? comparer = null)
        : base(options, comparer)
    {
        _readyAt = new Dictionary<T, long>(comparer);
        _timer = TimeProvider.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The number of items waiting for their delay to pass.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _readyAt.Count;
            }
        }
    }

    public void AddAfter(T item, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (IsShuttingDown)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            var ready = NowTicks() + delay.Ticks;
            if (_readyAt.TryGetValue(item, out var existing) && existing <= ready)
            {
                return;
            }

            _readyAt[item] = ready;
            _heap.Enqueue(item, ready);
            Arm();
        }
    }

    public override void ShutDown()
    {
        lock (_lock)
        {
            _stopped = true;
            _readyAt.Clear();
            _heap.Clear();
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        base.ShutDown();
    }

    private void Fire()
    {
        List<T> due = [];
        lock (_lock)
        {
            _timerDue = long.MaxValue;
            var now = NowTicks();
            while (_heap.TryPeek(out var item, out var ready) && ready <= now)
            {
                _heap.Dequeue();
                if (_readyAt.TryGetValue(item, out var current) && current == ready)
                {
                    _readyAt.Remove(item);
                    due.Add(item);
                }
            }

            if (!_stopped)
            {
                Arm();
            }
        }

        foreach (var item in due)
        {
            Add(item);
        }
    }

    // Under _lock: points the timer at the earliest live ready time.
    private void Arm()
    {
        while (_heap.TryPeek(out var item, out var ready))
        {
            if (_readyAt.TryGetValue(item, out var current) && current == ready)
            {
                if (ready < _timerDue)
                {
                    _timerDue = ready;
                    var wait = TimeSpan.FromTicks(Math.Max(0, ready - NowTicks()));
                    _timer.Change(wait, Timeout.InfiniteTimeSpan);
                }

                return;
            }

            _heap.Dequeue();
        }
    }

    private long NowTicks() => TimeProvider.GetUtcNow().UtcTicks;
}
