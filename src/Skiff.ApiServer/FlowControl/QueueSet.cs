namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// One Limited priority level's seats and queues, a simplified upstream <c>fairqueuing/queueset</c>: requests execute
/// while their seats (<see cref="WorkEstimate.MaxSeats"/>, held through the final phase's additional latency too) fit
/// in <see cref="ConcurrencyLimit"/> (a request wider than the limit runs alone); a request that finds no room is
/// put, by shuffle sharding of its flow hash, into the queue of its hand with the fewest seats waiting (rejected when
/// every seat is taken and that queue holds <see cref="QueueLengthLimit"/> requests, or at once when the level rejects
/// instead of queuing), and waits at most its wait limit by the clock (past it, it is rejected). Freed seats go
/// to queued requests by start-time fair queuing: each request is tagged on arrival with the virtual start
/// <c>max(V, finish of its queue's previous request)</c>, where V is the tag of the request last dispatched, and
/// the queued request with the smallest tag goes first (a wide one at the head waits until its seats are free, as
/// upstream), so every non-empty queue gets an equal share of the seats whatever its arrival rate (a flood in one queue
/// cannot starve another). The seat demand (seats in use plus seats waiting) feeds <see cref="Demand"/> for
/// borrowing. Thread-safe.
/// </summary>
public sealed class QueueSet
{
    private readonly Lock _lock = new();
    private Queue[] _queues;
    private double _virtualTime;
    private bool _reject;
    private readonly TimeProvider _clock;
    private int _executing;
    private int _waiting;
    private int _seatsInUse;
    private int _seatsWaiting;
    private ulong _enqueues;

    /// <summary>Creates a level with the given limits; <paramref name="queues"/> 0 means Reject instead of queuing.</summary>
    public QueueSet(int concurrencyLimit, int queues, int handSize, int queueLengthLimit, SeatDemandIntegrator? demand = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        Demand = demand ?? new SeatDemandIntegrator(_clock);
        _queues = [];
        Reconfigure(concurrencyLimit, queues, handSize, queueLengthLimit);
    }

    /// <summary>Why a request was not admitted (upstream's <c>reason</c> label of <c>apiserver_flowcontrol_rejected_requests_total</c>).</summary>
    public enum Rejection
    {
        /// <summary>Admitted.</summary>
        None,

        /// <summary>The level rejects when full and had no free seat.</summary>
        ConcurrencyLimit,

        /// <summary>The chosen queue was at its length limit.</summary>
        QueueFull,

        /// <summary>Waited longer than the wait limit.</summary>
        TimeOut,

        /// <summary>The client went away while waiting.</summary>
        Cancelled,
    }

    /// <summary>How many requests may execute at once.</summary>
    public int ConcurrencyLimit { get; private set; }

    /// <summary>The hand size of shuffle sharding (0 when the level rejects).</summary>
    public int HandSize { get; private set; }

    /// <summary>The most requests one queue may hold.</summary>
    public int QueueLengthLimit { get; private set; }

    /// <summary>The number of queues (0 when the level rejects instead of queuing).</summary>
    public int QueueCount
    {
        get
        {
            lock (_lock)
            {
                return _reject ? 0 : _queues.Length;
            }
        }
    }

    /// <summary>Requests executing now.</summary>
    public int Executing => Volatile.Read(ref _executing);

    /// <summary>Seats occupied now (by executing requests and by finished ones in their final phase).</summary>
    public int SeatsInUse => Volatile.Read(ref _seatsInUse);

    /// <summary>The level's seat demand over time.</summary>
    public SeatDemandIntegrator Demand { get; }

    /// <summary>Requests waiting in queues now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Changes the limits; queued requests move to the new queues (queue index modulo the new count) in order, and
    /// freed capacity dispatches at once. With <paramref name="queues"/> 0 the level rejects instead of queuing
    /// (requests already waiting still drain).
    /// </summary>
    public void Reconfigure(int concurrencyLimit, int queues, int handSize, int queueLengthLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(concurrencyLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(queues);
        lock (_lock)
        {
            ConcurrencyLimit = concurrencyLimit;
            HandSize = queues == 0 ? 0 : Math.Clamp(handSize, 1, Math.Min(queues, ShuffleSharding.MaxHandSize));
            QueueLengthLimit = Math.Max(queueLengthLimit, 1);
            _reject = queues == 0;
            if (!_reject && queues != _queues.Length)
            {
                var fresh = new Queue[queues];
                for (var i = 0; i < queues; i++)
                {
                    fresh[i] = new Queue();
                }

                for (var index = 0; index < _queues.Length; index++)
                {
                    foreach (var w in _queues[index].Waiters.ToList())
                    {
                        var target = fresh[index % queues];
                        w.Queue = target;
                        w.Node = target.Waiters.AddLast(w);
                        target.SeatsWaiting += w.Seats;
                        target.LastFinish = Math.Max(target.LastFinish, w.Start + w.Seats);
                    }
                }

                _queues = fresh;
            }

            DispatchLocked();
        }
    }

    /// <summary>Sets the current concurrency limit (borrowing); freed capacity dispatches at once.</summary>
    public void SetConcurrencyLimit(int concurrencyLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(concurrencyLimit);
        lock (_lock)
        {
            ConcurrencyLimit = concurrencyLimit;
            DispatchLocked();
        }
    }

    /// <summary>Waits for one seat (see <see cref="AcquireAsync(ulong, WorkEstimate, TimeSpan, CancellationToken)"/>).</summary>
    public ValueTask<(Seat? Seat, Rejection Reason)> AcquireAsync(ulong flowHash, TimeSpan waitLimit, CancellationToken ct) =>
        AcquireAsync(flowHash, WorkEstimate.One, waitLimit, ct);

    /// <summary>
    /// Waits for the seats of <paramref name="work"/> for a request of the flow with hash <paramref name="flowHash"/>;
    /// returns the seat (dispose it when the request ends: the seats stay taken for the additional latency, then
    /// free) or the rejection reason. Waits at most <paramref name="waitLimit"/> by the clock: once that has passed
    /// the request is rejected, and a seat freed later never goes to it, however late its timer fires (upstream's
    /// request decision is set once, by whichever comes first).
    /// </summary>
    public async ValueTask<(Seat? Seat, Rejection Reason)> AcquireAsync(ulong flowHash, WorkEstimate work, TimeSpan waitLimit, CancellationToken ct)
    {
        var seats = Math.Max(1, work.MaxSeats);
        Waiter waiter;
        lock (_lock)
        {
            if (_waiting == 0 && CanAccommodateLocked(seats))
            {
                var q = _reject ? null : Choose(flowHash);
                if (q is not null)
                {
                    var start = Math.Max(_virtualTime, q.LastFinish);
                    q.LastFinish = start + seats;
                    _virtualTime = start;
                }

                _executing++;
                _seatsInUse += seats;
                NoteDemandLocked();
                return (new Seat(this, work), Rejection.None);
            }

            if (_reject)
            {
                return (null, Rejection.ConcurrencyLimit);
            }

            // Upstream's timeoutOldRequestsAndRejectOrEnqueueLocked: the chosen queue first drops its requests past
            // their wait limit, then refuses only when the level's seats are all taken and the queue is at its limit.
            var now = _clock.GetUtcNow();
            var queue = Choose(flowHash);
            ExpireLocked(queue, now);
            if (_seatsInUse >= ConcurrencyLimit && queue.Waiters.Count >= QueueLengthLimit)
            {
                return (null, Rejection.QueueFull);
            }

            var tag = Math.Max(_virtualTime, queue.LastFinish);
            queue.LastFinish = tag + seats;
            waiter = new Waiter(tag, seats, now + waitLimit) { Queue = queue };
            waiter.Node = queue.Waiters.AddLast(waiter);
            queue.SeatsWaiting += seats;
            _waiting++;
            _seatsWaiting += seats;
            NoteDemandLocked();
            DispatchLocked();
        }

        // The timer and the client's cancellation make the decision prompt; the clock alone decides a dispatch.
        Rejection decision;
        using (_clock.CreateTimer(_ => Withdraw(waiter, Rejection.TimeOut), null, waitLimit, Timeout.InfiniteTimeSpan))
        using (ct.Register(() => Withdraw(waiter, Rejection.Cancelled)))
        {
            decision = await waiter.Decision.Task.ConfigureAwait(false);
        }

        return decision == Rejection.None ? (new Seat(this, work), Rejection.None) : (null, decision);
    }

    /// <summary>
    /// Upstream's <c>shuffleShardLocked</c>: of the flow's hand, the queue with the fewest seats waiting, looking from
    /// a rotating start so that ties spread.
    /// </summary>
    private Queue Choose(ulong flowHash)
    {
        Span<int> hand = stackalloc int[ShuffleSharding.MaxHandSize];
        var size = Math.Min(HandSize, _queues.Length);
        ShuffleSharding.Deal(flowHash, _queues.Length, size, hand);
        var offset = (int)(_enqueues++ % (ulong)size);
        var best = _queues[hand[offset]];
        for (var i = 1; i < size; i++)
        {
            var q = _queues[hand[(offset + i) % size]];
            if (q.SeatsWaiting < best.SeatsWaiting)
            {
                best = q;
            }
        }

        return best;
    }

    /// <summary>Rejects (time-out) the waiters of <paramref name="queue"/> whose wait limit has passed.</summary>
    private void ExpireLocked(Queue queue, DateTimeOffset now)
    {
        for (var node = queue.Waiters.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Deadline <= now)
            {
                DecideLocked(node.Value, Rejection.TimeOut);
            }

            node = next;
        }
    }

    /// <summary>Takes <paramref name="waiter"/> out of its queue with <paramref name="reason"/>, unless it was decided already.</summary>
    private void Withdraw(Waiter waiter, Rejection reason)
    {
        lock (_lock)
        {
            if (!waiter.Decision.Task.IsCompleted)
            {
                DecideLocked(waiter, reason);
                DispatchLocked();
            }
        }
    }

    /// <summary>Removes a queued waiter and answers it with <paramref name="reason"/> (not None: a grant is <see cref="DispatchLocked"/>'s).</summary>
    private void DecideLocked(Waiter waiter, Rejection reason)
    {
        waiter.Queue!.Waiters.Remove(waiter.Node!);
        waiter.Queue.SeatsWaiting -= waiter.Seats;
        _waiting--;
        _seatsWaiting -= waiter.Seats;
        NoteDemandLocked();
        waiter.Decision.TrySetResult(reason);
    }

    /// <summary>Upstream's <c>canAccommodateSeatsLocked</c>: a request wider than the limit runs only alone.</summary>
    private bool CanAccommodateLocked(int seats) =>
        seats > ConcurrencyLimit ? _executing == 0 && _seatsInUse == 0 : _seatsInUse + seats <= ConcurrencyLimit;

    private void NoteDemandLocked() => Demand.Set(_seatsInUse + _seatsWaiting);

    private void Finish(WorkEstimate work)
    {
        var seats = Math.Max(1, work.MaxSeats);
        lock (_lock)
        {
            _executing--;
            if (work.AdditionalLatency <= TimeSpan.Zero || work.FinalSeats <= 0)
            {
                _seatsInUse -= seats;
                NoteDemandLocked();
                DispatchLocked();
                return;
            }
        }

        // The final phase (the write's watch fan-out) keeps the seats a while; the caller does not wait for it.
        ITimer? timer = null;
        timer = _clock.CreateTimer(
            _ =>
            {
                lock (_lock)
                {
                    _seatsInUse -= seats;
                    NoteDemandLocked();
                    DispatchLocked();
                }

                timer?.Dispose();
            },
            null, work.AdditionalLatency, Timeout.InfiniteTimeSpan);
    }

    private void DispatchLocked()
    {
        var now = _clock.GetUtcNow();
        while (_waiting > 0)
        {
            Queue? next = null;
            foreach (var q in _queues)
            {
                if (q.Waiters.First is { } head && (next is null || head.Value.Start < next.Waiters.First!.Value.Start))
                {
                    next = q;
                }
            }

            if (next is null)
            {
                return;
            }

            var w = next.Waiters.First!.Value;
            if (w.Deadline <= now)
            {
                // Past its wait limit (its timer not run yet): rejected, never granted.
                DecideLocked(w, Rejection.TimeOut);
                continue;
            }

            if (!CanAccommodateLocked(w.Seats))
            {
                return;
            }

            next.Waiters.RemoveFirst();
            next.SeatsWaiting -= w.Seats;
            _waiting--;
            _seatsWaiting -= w.Seats;
            _seatsInUse += w.Seats;
            _virtualTime = Math.Max(_virtualTime, w.Start);
            _executing++;
            NoteDemandLocked();
            w.Decision.TrySetResult(Rejection.None);
        }
    }

    /// <summary>A granted seat: disposing it frees the seat for the next queued request (once).</summary>
    public sealed class Seat : IDisposable
    {
        private readonly QueueSet _owner;
        private readonly WorkEstimate _work;
        private int _released;

        internal Seat(QueueSet owner, WorkEstimate work)
        {
            _owner = owner;
            _work = work;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Finish(_work);
            }
        }
    }

    internal sealed class Queue
    {
        public LinkedList<Waiter> Waiters { get; } = new();

        public double LastFinish { get; set; }

        /// <summary>The seats its waiters ask for (upstream's queue work sum, by which shuffle sharding picks).</summary>
        public int SeatsWaiting { get; set; }
    }

    internal sealed class Waiter(double start, int seats, DateTimeOffset deadline)
    {
        public double Start { get; } = start;

        public int Seats { get; } = seats;

        /// <summary>When its wait limit passes, by the queue set's clock.</summary>
        public DateTimeOffset Deadline { get; } = deadline;

        public Queue? Queue { get; set; }

        public LinkedListNode<Waiter>? Node { get; set; }

        /// <summary>Set once, under the queue set's lock: None (granted) or why not.</summary>
        public TaskCompletionSource<Rejection> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
