using Skiff.Controllers.Common;
using Xunit;

namespace Skiff.Controllers.Tests.Common;

public sealed class SlowStartTests
{
    // Upstream's TestSlowStartBatch table (count 10, initial batch 1): calls fail once callLimit calls were made.
    [Theory]
    [InlineData(0, 0, true, 1)] // all fail: one call (the first batch)
    [InlineData(10, 10, false, 10)] // all succeed: 1 + 2 + 4 + 3
    [InlineData(5, 5, true, 7)] // some succeed: 1 + 2 + 4, then stop
    public async Task RunAsync_UpstreamTable(int callLimit, int expectedSuccesses, bool expectError, int expectedCalls)
    {
        var calls = 0;
        var result = await SlowStart.RunAsync(10, 1, _ =>
        {
            var n = Interlocked.Increment(ref calls);
            return n > callLimit ? Task.FromException(new InvalidOperationException("fake error")) : Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(expectedSuccesses, result.Successes);
        Assert.Equal(expectError, result.FirstError is not null);
        Assert.Equal(expectedCalls, calls);
    }

    [Fact]
    public void Batches_DoubleUpToWhatRemains()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 245], SlowStart.Batches(500, 1));
        Assert.Equal([1, 2, 4, 3], SlowStart.Batches(10, 1));
        Assert.Empty(SlowStart.Batches(0, 1));
    }
}
