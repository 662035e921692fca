using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.FlowControl;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

public sealed class QueueSetTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FreeSeat_AdmitsAtOnce_ThenQueues()
    {
        var set = new QueueSet(2, 8, 2, 10);
        var (a, _) = await set.AcquireAsync(1, Long, default);
        var (b, _) = await set.AcquireAsync(2, Long, default);
        Assert.NotNull(a);
        Assert.NotNull(b);
        var waiting = set.AcquireAsync(3, Long, default).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, set.Waiting);
        a!.Dispose();
        var (c, reason) = await waiting.WaitAsync(Long);
        Assert.NotNull(c);
        Assert.Equal(QueueSet.Rejection.None, reason);
        Assert.Equal(2, set.Executing);
        b!.Dispose();
        c!.Dispose();
        Assert.Equal(0, set.Executing);
    }

    [Fact]
    public async Task RejectLevel_RejectsWhenFull()
    {
        var set = new QueueSet(1, 0, 0, 0);
        var (a, _) = await set.AcquireAsync(1, Long, default);
        var (b, reason) = await set.AcquireAsync(1, Long, default);
        Assert.NotNull(a);
        Assert.Null(b);
        Assert.Equal(QueueSet.Rejection.ConcurrencyLimit, reason);
    }

    [Fact]
    public async Task FullQueue_Rejects()
    {
        // One queue of two: the third waiter is refused.
        var set = new QueueSet(1, 1, 1, 2);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        var w1 = set.AcquireAsync(1, Long, default).AsTask();
        var w2 = set.AcquireAsync(1, Long, default).AsTask();
        var (none, reason) = await set.AcquireAsync(1, Long, default);
        Assert.Null(none);
        Assert.Equal(QueueSet.Rejection.QueueFull, reason);
        seat!.Dispose();
        (await w1.WaitAsync(Long)).Seat!.Dispose();
        (await w2.WaitAsync(Long)).Seat!.Dispose();
    }

    [Fact]
    public async Task WaitLimit_TimesOut_AndLeavesTheQueue()
    {
        var set = new QueueSet(1, 4, 2, 10);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        var (none, reason) = await set.AcquireAsync(2, TimeSpan.FromMilliseconds(50), default);
        Assert.Null(none);
        Assert.Equal(QueueSet.Rejection.TimeOut, reason);
        Assert.Equal(0, set.Waiting);
        seat!.Dispose();
        Assert.Equal(0, set.Executing);
    }

    [Fact]
    public async Task Cancelled_LeavesTheQueue()
    {
        var set = new QueueSet(1, 4, 2, 10);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        using var cts = new CancellationTokenSource();
        var waiting = set.AcquireAsync(2, Long, cts.Token).AsTask();
        await cts.CancelAsync();
        var (none, reason) = await waiting.WaitAsync(Long);
        Assert.Null(none);
        Assert.Equal(QueueSet.Rejection.Cancelled, reason);
        Assert.Equal(0, set.Waiting);
        seat!.Dispose();
    }

    [Fact]
    public async Task WaitLimit_IsKeptOnTheClock()
    {
        var clock = new FakeTimeProvider();
        var set = new QueueSet(1, 4, 2, 10, clock: clock);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        var waiting = set.AcquireAsync(2, TimeSpan.FromMinutes(1), default).AsTask();
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var (none, reason) = await waiting.WaitAsync(Long);
        Assert.Null(none);
        Assert.Equal(QueueSet.Rejection.TimeOut, reason);
        Assert.Equal(0, set.Waiting);
        seat!.Dispose();
    }

    [Fact]
    public async Task PastItsWaitLimit_AWaiterIsRejectedNotGranted_HoweverLateItsTimer()
    {
        // The clock passes the first waiter's limit but its timer has not run (a starved thread pool): the seat freed
        // then goes to the next waiter still within its limit, and the first is refused (upstream decides once).
        var clock = new LateTimersClock();
        var set = new QueueSet(1, 1, 1, 10, clock: clock);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        var expired = set.AcquireAsync(1, TimeSpan.FromSeconds(1), default).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(500));
        var fresh = set.AcquireAsync(1, TimeSpan.FromSeconds(1), default).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.False(expired.IsCompleted);

        seat!.Dispose();
        var (none, reason) = await expired.WaitAsync(Long);
        Assert.Null(none);
        Assert.Equal(QueueSet.Rejection.TimeOut, reason);
        var (next, nextReason) = await fresh.WaitAsync(Long);
        Assert.Equal(QueueSet.Rejection.None, nextReason);
        Assert.Equal(1, set.Executing);
        Assert.Equal(0, set.Waiting);
        next!.Dispose();
    }

    [Fact]
    public async Task FullQueue_FirstDropsItsWaitersPastTheirLimit()
    {
        // Upstream's removeTimedOutRequestsFromQueueToBoundLocked: an arrival finds the queue full only of live waiters.
        var clock = new LateTimersClock();
        var set = new QueueSet(1, 1, 1, 1, clock: clock);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        var expired = set.AcquireAsync(1, TimeSpan.FromSeconds(1), default).AsTask();
        var (refused, full) = await set.AcquireAsync(1, Long, default);
        Assert.Null(refused);
        Assert.Equal(QueueSet.Rejection.QueueFull, full);

        clock.Advance(TimeSpan.FromSeconds(2));
        var queued = set.AcquireAsync(1, Long, default).AsTask();
        Assert.Equal(QueueSet.Rejection.TimeOut, (await expired.WaitAsync(Long)).Reason);
        Assert.False(queued.IsCompleted);
        Assert.Equal(1, set.Waiting);
        seat!.Dispose();
        (await queued.WaitAsync(Long)).Seat!.Dispose();
        Assert.Equal(0, set.Executing);
    }

    [Fact]
    public async Task QueueAtItsLimit_StillTakesARequestWhileSeatsAreFree()
    {
        // Upstream's rejectOrEnqueueToBoundLocked refuses only when every seat is taken and the queue is full: a wide
        // request at the head waits for two seats while one is free, so a narrow one joins the full queue behind it.
        var set = new QueueSet(2, 1, 1, 1);
        var (one, _) = await set.AcquireAsync(1, Long, default);
        var wide = set.AcquireAsync(1, new WorkEstimate(2), Long, default).AsTask();
        var narrow = set.AcquireAsync(1, Long, default).AsTask();
        Assert.False(wide.IsCompleted);
        Assert.False(narrow.IsCompleted);
        Assert.Equal(2, set.Waiting);

        one!.Dispose();
        var (wideSeat, _) = await wide.WaitAsync(Long);
        Assert.Equal(2, set.SeatsInUse);
        wideSeat!.Dispose();
        (await narrow.WaitAsync(Long)).Seat!.Dispose();
        Assert.Equal(0, set.SeatsInUse);
    }

    [Fact]
    public async Task TwoFlows_AFloodDoesNotStarveTheOther()
    {
        // One seat; flow A queues 40 requests, then flow B queues 4. Fair queuing serves B's requests among A's
        // next few, not after A's whole backlog.
        var set = new QueueSet(1, 64, 1, 100);
        ulong flowA = HashInQueue(64, 3), flowB = HashInQueue(64, 5);
        var (holder, _) = await set.AcquireAsync(flowA, Long, default);
        var order = new List<char>();
        var waiters = new List<Task>();
        for (var i = 0; i < 40; i++)
        {
            waiters.Add(Serve(set, flowA, 'A', order));
        }

        for (var i = 0; i < 4; i++)
        {
            waiters.Add(Serve(set, flowB, 'B', order));
        }

        Assert.Equal(44, set.Waiting);
        holder!.Dispose();
        await Task.WhenAll(waiters).WaitAsync(Long);
        var lastB = order.LastIndexOf('B');
        Assert.True(lastB < 10, $"B's last request was served at {lastB}: {new string([.. order])}");
        Assert.Equal(40, order.Count(c => c == 'A'));
    }

    [Fact]
    public async Task Reconfigure_MoreSeatsDispatchesWaiters()
    {
        var set = new QueueSet(1, 4, 2, 10);
        var (seat, _) = await set.AcquireAsync(1, Long, default);
        var waiting = set.AcquireAsync(2, Long, default).AsTask();
        set.Reconfigure(2, 8, 3, 10);
        var (second, _) = await waiting.WaitAsync(Long);
        Assert.NotNull(second);
        Assert.Equal(2, set.Executing);
        seat!.Dispose();
        second!.Dispose();
    }

    [Fact]
    public async Task WideRequest_WaitsForItsSeats_AndHoldsBackTheRequestsBehindIt()
    {
        var set = new QueueSet(4, 1, 1, 10);
        var (three, _) = await set.AcquireAsync(1, new WorkEstimate(3), Long, default);
        Assert.Equal(3, set.SeatsInUse);

        // Two more seats do not fit in the one left; the narrow request queued after it waits behind it (upstream).
        var two = set.AcquireAsync(2, new WorkEstimate(2), Long, default).AsTask();
        var one = set.AcquireAsync(3, new WorkEstimate(1), Long, default).AsTask();
        Assert.False(two.IsCompleted);
        Assert.False(one.IsCompleted);

        three!.Dispose();
        var (twoSeat, _) = await two.WaitAsync(Long);
        var (oneSeat, _) = await one.WaitAsync(Long);
        Assert.Equal(3, set.SeatsInUse);
        twoSeat!.Dispose();
        oneSeat!.Dispose();
        Assert.Equal(0, set.SeatsInUse);
    }

    [Fact]
    public async Task WiderThanTheLimit_RunsOnlyAlone()
    {
        var set = new QueueSet(2, 4, 2, 10);
        var (wide, _) = await set.AcquireAsync(1, new WorkEstimate(5), Long, default);
        Assert.NotNull(wide);
        var narrow = set.AcquireAsync(2, new WorkEstimate(1), Long, default).AsTask();
        Assert.False(narrow.IsCompleted);
        wide!.Dispose();
        var (seat, _) = await narrow.WaitAsync(Long);
        Assert.NotNull(seat);
        seat!.Dispose();
    }

    [Fact]
    public async Task FinalSeats_StayTakenForTheAdditionalLatency()
    {
        var clock = new FakeTimeProvider();
        var set = new QueueSet(2, 4, 2, 10, clock: clock);
        var (write, _) = await set.AcquireAsync(1, new WorkEstimate(1, 2, TimeSpan.FromMilliseconds(5)), Long, default);
        Assert.Equal(2, set.SeatsInUse);
        write!.Dispose();
        Assert.Equal(0, set.Executing);
        Assert.Equal(2, set.SeatsInUse);
        var next = set.AcquireAsync(2, WorkEstimate.One, Long, default).AsTask();
        Assert.False(next.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, set.SeatsInUse);
        var (seat, _) = await next.WaitAsync(Long);
        seat!.Dispose();
        Assert.Equal(0, set.SeatsInUse);
    }

    private static async Task Serve(QueueSet set, ulong flow, char name, List<char> order)
    {
        var (seat, reason) = await set.AcquireAsync(flow, Long, default);
        Assert.Equal(QueueSet.Rejection.None, reason);
        lock (order)
        {
            order.Add(name);
        }

        // Hold the seat across a yield, so the next dispatch happens after this one is recorded.
        await Task.Yield();
        seat!.Dispose();
    }

    /// <summary>A hash whose hand of one card (from <paramref name="deck"/>) is <paramref name="queue"/>.</summary>
    private static ulong HashInQueue(int deck, int queue)
    {
        Span<int> hand = stackalloc int[1];
        for (ulong h = 0; ; h++)
        {
            ShuffleSharding.Deal(h, deck, 1, hand);
            if (hand[0] == queue)
            {
                return h;
            }
        }
    }

    /// <summary>A fake clock whose timers never fire: the wait-limit timers of a starved thread pool.</summary>
    private sealed class LateTimersClock : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

        private sealed class NeverTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
