using Microsoft.Extensions.Time.Testing;
using Skiff.Controllers.NodeLifecycle;
using Xunit;

namespace Skiff.Controllers.Tests.NodeLifecycle;

public sealed class RateLimitedTimedQueueTests
{
    private static async Task<List<string>> DrainAsync(RateLimitedTimedQueue q)
    {
        var done = new List<string>();
        await q.TryAsync(n =>
        {
            done.Add(n);
            return Task.FromResult(true);
        });
        return done;
    }

    [Fact]
    public async Task UpstreamDefaultRate_OneNodeNowThenOneEveryTenSeconds_InOrder()
    {
        var time = new FakeTimeProvider();
        var q = new RateLimitedTimedQueue(time, 0.1);
        Assert.True(q.Add("a"));
        Assert.True(q.Add("b"));
        Assert.False(q.Add("a"));
        q.Add("c");
        Assert.Equal(["a"], await DrainAsync(q));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(await DrainAsync(q));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["b"], await DrainAsync(q));
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(["c"], await DrainAsync(q));
    }

    [Fact]
    public async Task ZeroRate_StopsTheQueue_RemoveDropsANode()
    {
        var time = new FakeTimeProvider();
        var q = new RateLimitedTimedQueue(time, 0.1);
        q.SwapLimiter(0);
        q.Add("a");
        q.Add("b");
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await DrainAsync(q));
        Assert.True(q.Remove("a"));
        q.SwapLimiter(1);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["b"], await DrainAsync(q));
    }
}
