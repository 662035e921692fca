using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Skiff.Proxy.Sync;
using Xunit;

namespace Skiff.Proxy.Tests.Sync;

/// <summary>The runner's upstream semantics on a fake clock: at once first, coalesced within minInterval, periodic at maxInterval.</summary>
public sealed class BoundedFrequencyRunnerTests
{
    [Fact]
    public async Task RunsAtOnceThenCoalescesRequestsWithinTheMinimumIntervalAndRunsPeriodically()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var runs = Channel.CreateUnbounded<DateTimeOffset>();
        var runner = new BoundedFrequencyRunner(_ =>
        {
            runs.Writer.TryWrite(time.GetUtcNow());
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), time);
        var waits = Channel.CreateUnbounded<bool>();
        runner.Waiting = () => waits.Writer.TryWrite(true);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => runner.LoopAsync(stop.Token));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // The first run happens at once.
        Assert.Equal(DateTimeOffset.UnixEpoch, await runs.Reader.ReadAsync(deadline.Token));

        // Three requests inside the minimum interval make one run, at its end.
        runner.Run();
        runner.Run();
        runner.Run();

        // Two waits: the periodic one the requests cut short, then the rate limit's.
        await waits.Reader.ReadAsync(deadline.Token);
        await waits.Reader.ReadAsync(deadline.Token);
        Assert.False(runs.Reader.TryRead(out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1), await runs.Reader.ReadAsync(deadline.Token));

        // Without requests, the next run is the periodic one, maxInterval after the last.
        await waits.Reader.ReadAsync(deadline.Token);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(runs.Reader.TryRead(out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(31), await runs.Reader.ReadAsync(deadline.Token));
        Assert.Equal(3, runner.Runs);

        await stop.CancelAsync();
        await loop.WaitAsync(deadline.Token);
    }
}
