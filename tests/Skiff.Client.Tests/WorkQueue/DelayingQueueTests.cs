using Microsoft.Extensions.Time.Testing;
using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.WorkQueue;

public class DelayingQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static (DelayingQueue<string> Queue, FakeTimeProvider Time) Create()
    {
        var time = new FakeTimeProvider();
        return (new DelayingQueue<string>(new WorkQueueOptions { TimeProvider = time }), time);
    }

    [Fact]
    public void AddAfter_BeforeDelay_NotQueued_AfterDelay_Queued()
    {
        var (q, time) = Create();
        q.AddAfter("a", TimeSpan.FromSeconds(5));
        Assert.Equal(0, q.Count);
        Assert.Equal(1, q.WaitingCount);
        time.Advance(TimeSpan.FromSeconds(4.999));
        Assert.Equal(0, q.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.WaitingCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void AddAfter_NonPositiveDelay_QueuedImmediately(int seconds)
    {
        var (q, _) = Create();
        q.AddAfter("a", TimeSpan.FromSeconds(seconds));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void AddAfter_ShorterDelayForWaitingItem_MovesReadyTimeEarlier()
    {
        var (q, time) = Create();
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        q.AddAfter("a", TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, q.Count);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void AddAfter_LongerDelayForWaitingItem_DoesNotPostpone()
    {
        var (q, time) = Create();
        q.AddAfter("a", TimeSpan.FromSeconds(2));
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.WaitingCount);
    }

    [Fact]
    public async Task AddAfter_SeveralItems_ReleasedInReadyOrder()
    {
        var (q, time) = Create();
        q.AddAfter("c", TimeSpan.FromSeconds(3));
        q.AddAfter("a", TimeSpan.FromSeconds(1));
        q.AddAfter("b", TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.Count);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("a", await q.GetAsync());
        Assert.Equal("b", await q.GetAsync());
        Assert.Equal("c", await q.GetAsync());
    }

    [Fact]
    public async Task AddAfter_WaiterBlocked_ReceivesItemWhenDue()
    {
        var (q, time) = Create();
        var get = q.GetAsync().AsTask();
        q.AddAfter("a", TimeSpan.FromMilliseconds(50));
        Assert.False(get.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal("a", await get.WaitAsync(Deadline));
    }

    [Fact]
    public void ShutDown_WaitingItems_Dropped()
    {
        var (q, time) = Create();
        q.AddAfter("a", TimeSpan.FromSeconds(1));
        q.ShutDown();
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, q.Count);
        q.AddAfter("b", TimeSpan.FromSeconds(1));
        Assert.Equal(0, q.WaitingCount);
    }
}
