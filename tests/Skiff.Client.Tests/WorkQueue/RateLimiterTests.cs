using Microsoft.Extensions.Time.Testing;
using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.WorkQueue;

public class RateLimiterTests
{
    public static TheoryData<int, int, int, int[]> ExponentialCases => new()
    {
        // base ms, max ms, failures, expected delays in ms
        { 1, 1000, 5, [1, 2, 4, 8, 16] },
        { 5, 20, 5, [5, 10, 20, 20, 20] },
        { 10, 10, 3, [10, 10, 10] },
    };

    [Theory]
    [MemberData(nameof(ExponentialCases))]
    public void ItemExponentialFailure_ConsecutiveFailures_DoubleUpToMax(int baseMs, int maxMs, int failures, int[] expected)
    {
        var l = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs));
        var delays = Enumerable.Range(0, failures).Select(_ => (int)l.NextDelay("x").TotalMilliseconds).ToArray();
        Assert.Equal(expected, delays);
        Assert.Equal(failures, l.GetFailureCount("x"));
    }

    [Fact]
    public void ItemExponentialFailure_Forget_StartsOver_OtherItemsIndependent()
    {
        var l = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        l.NextDelay("a");
        l.NextDelay("a");
        Assert.Equal(TimeSpan.FromMilliseconds(1), l.NextDelay("b"));
        l.Forget("a");
        Assert.Equal(0, l.GetFailureCount("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(1), l.NextDelay("a"));
    }

    [Fact]
    public void ItemExponentialFailure_ManyFailures_NoOverflow()
    {
        var l = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        TimeSpan last = default;
        for (var i = 0; i < 200; i++)
        {
            last = l.NextDelay("x");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), last);
    }

    [Fact]
    public void Bucket_BurstThenQps_DelaysGrowByOneOverQps()
    {
        var time = new FakeTimeProvider();
        var l = new BucketRateLimiter<string>(10, 3, time);
        Assert.Equal(TimeSpan.Zero, l.NextDelay("a"));
        Assert.Equal(TimeSpan.Zero, l.NextDelay("b"));
        Assert.Equal(TimeSpan.Zero, l.NextDelay("c"));
        Assert.Equal(100, l.NextDelay("d").TotalMilliseconds, 3);
        Assert.Equal(200, l.NextDelay("e").TotalMilliseconds, 3);

        // After 1 s, the 2 reserved tokens are paid back and the bucket refills to its burst of 3.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, l.NextDelay("f"));
        Assert.Equal(TimeSpan.Zero, l.NextDelay("g"));
        Assert.Equal(TimeSpan.Zero, l.NextDelay("h"));
        Assert.Equal(100, l.NextDelay("i").TotalMilliseconds, 3);
    }

    [Fact]
    public void MaxOf_ReturnsLongestDelay_ForgetsInAll()
    {
        var time = new FakeTimeProvider();
        var exp = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
        var bucket = new BucketRateLimiter<string>(1, 1, time);
        var l = new MaxOfRateLimiter<string>(exp, bucket);
        Assert.Equal(TimeSpan.FromMilliseconds(1), l.NextDelay("a"));
        Assert.Equal(TimeSpan.FromSeconds(1), l.NextDelay("a"));
        Assert.Equal(2, l.GetFailureCount("a"));
        l.Forget("a");
        Assert.Equal(0, exp.GetFailureCount("a"));
    }

    [Fact]
    public void FastSlow_AfterMaxFastAttempts_UsesSlowDelay()
    {
        var l = new ItemFastSlowRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10), 2);
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.NextDelay("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.NextDelay("a"));
        Assert.Equal(TimeSpan.FromSeconds(10), l.NextDelay("a"));
        l.Forget("a");
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.NextDelay("a"));
    }
}
