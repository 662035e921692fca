using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.FlowControl;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>Retry-After as upstream 1.32's dropped-requests tracker moves it.</summary>
public sealed class DroppedRequestsTrackerTests
{
    [Fact]
    public void StartsAtOne_DoublesOnBurst_ComesDownWhenQuiet_PerLevel()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000));
        var tracker = new DroppedRequestsTracker(clock);
        Assert.Equal(1, tracker.RetryAfter("global-default"));
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordDropped("global-default");
        }

        // Decided when the next second's first drop arrives: 3 drops in the last second ≥ 3 × 1.
        Assert.Equal(1, tracker.RetryAfter("global-default"));
        clock.Advance(TimeSpan.FromSeconds(1));
        tracker.RecordDropped("global-default");
        Assert.Equal(2, tracker.RetryAfter("global-default"));
        Assert.Equal(1, tracker.RetryAfter("workload-low"));

        // Quiet for a while: fewer than retryAfter drops in the window lowers it by one.
        clock.Advance(TimeSpan.FromSeconds(10));
        tracker.RecordDropped("global-default");
        Assert.Equal(1, tracker.RetryAfter("global-default"));
    }

    [Fact]
    public void SustainedFlood_CapsAt32()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(2_000_000));
        var tracker = new DroppedRequestsTracker(clock);
        for (var second = 0; second < 200; second++)
        {
            for (var i = 0; i < 200; i++)
            {
                tracker.RecordDropped("catch-all");
            }

            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(DroppedRequestsTracker.MaxRetryAfter, tracker.RetryAfter("catch-all"));
    }
}
