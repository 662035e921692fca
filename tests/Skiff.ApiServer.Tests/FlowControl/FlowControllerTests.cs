using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.FlowControl;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>Seat borrowing between levels, and a WATCH's seats held only while it initialises.</summary>
public sealed class FlowControllerTests
{
    private static readonly UserInfo Alice = new("alice", null, [UserInfo.AuthenticatedGroup]);

    [Fact]
    public async Task Borrowing_BusyLevelRisesWithinBounds_IdleLevelsLendDownToTheirLowerBound()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var controller = new FlowController(new FlowControlSettings { QueueWaitLimit = TimeSpan.FromMinutes(5) }, new FlowControlMetrics(null), clock);

        // 600 seats over ΣNCS 245: global-default nominal 49 (lower 24, upper 649); workload-low 245 (lower 24).
        // With no demand seen yet every level starts from its lower bound, scaled up to use all the seats.
        Assert.Equal(49, controller.ConcurrencyLimits["global-default"]);
        var before = controller.CurrentLimits;
        Assert.InRange(before["global-default"], 24, 100);

        // global-default busy: its seats all taken and 150 more requests waiting; every other level idle.
        var admissions = new List<FlowAdmission>();
        for (var i = 0; i < before["global-default"]; i++)
        {
            admissions.Add(await controller.AdmitAsync(new DefaultHttpContext(), List(), Alice, default));
        }

        var waiting = Enumerable.Range(0, 150)
            .Select(i => controller.AdmitAsync(new DefaultHttpContext(), List(), new UserInfo("user-" + i, null, [UserInfo.AuthenticatedGroup]), default).AsTask())
            .ToList();
        Assert.All(admissions, a => Assert.True(a.Admitted));
        Assert.DoesNotContain(waiting, w => w.IsCompleted);

        clock.Advance(FlowController.BorrowingPeriod);
        controller.UpdateBorrowing();
        var after = controller.CurrentLimits;
        Assert.InRange(after["global-default"], 150, 649);
        Assert.InRange(after["workload-low"], 24, 244);
        Assert.InRange(after["workload-high"], 49, 97);

        Assert.InRange(after.Values.Sum(), 595, 610);

        // The raised limit lets the queued requests in.
        var admitted = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(admitted, a => Assert.True(a.Admitted));
        Assert.Equal(before["global-default"] + 150, controller.SeatsInUse("global-default"));
        foreach (var a in admissions.Concat(admitted))
        {
            a.Dispose();
        }

        Assert.Equal(0, controller.SeatsInUse("global-default"));
    }

    [Fact]
    public async Task Watch_HoldsItsSeatUntilInitialised_ThenCountsAsAnOpenWatch()
    {
        var controller = new FlowController(new FlowControlSettings(), new FlowControlMetrics(null));
        var ctx = new DefaultHttpContext();
        ctx.Request.QueryString = new QueryString("?watch=true");
        var watch = RequestInfo.Parse("GET", "/api/v1/namespaces/a/configmaps", true);
        var create = RequestInfo.Parse("POST", "/api/v1/namespaces/a/configmaps", false);

        using var admission = await controller.AdmitAsync(ctx, watch, Alice, default);
        Assert.True(admission.Admitted);
        Assert.Equal(1, controller.SeatsInUse("global-default"));
        Assert.Equal(1, controller.Watches.InterestedWatchCount(create));

        FlowAdmission.WatchInitialized(ctx);
        Assert.Equal(0, controller.SeatsInUse("global-default"));
        Assert.False(admission.HoldsSeats);
        Assert.Equal(1, controller.Watches.InterestedWatchCount(create));

        // Signalled again or ended: nothing is freed twice; the watch is forgotten when it ends.
        FlowAdmission.WatchInitialized(ctx);
        admission.Dispose();
        Assert.Equal(0, controller.SeatsInUse("global-default"));
        Assert.Equal(0, controller.Watches.InterestedWatchCount(create));
    }

    [Fact]
    public async Task WideList_TakesItsEstimatedSeats()
    {
        var controller = new FlowController(new FlowControlSettings(), new FlowControlMetrics(null));
        controller.ObjectCounts.Set("", "configmaps", 450);
        using var admission = await controller.AdmitAsync(new DefaultHttpContext(), RequestInfo.Parse("GET", "/api/v1/configmaps", false), Alice, default);
        Assert.Equal(5, controller.SeatsInUse("global-default"));
        admission.Dispose();
        Assert.Equal(0, controller.SeatsInUse("global-default"));
    }

    private static RequestInfo List() => RequestInfo.Parse("GET", "/api/v1/namespaces/a/pods", false);
}
