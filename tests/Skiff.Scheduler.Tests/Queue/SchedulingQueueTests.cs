using Microsoft.Extensions.Time.Testing;
using Skiff.Scheduler.Plugins.PrioritySort;
using Skiff.Scheduler.Queue;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Queue;

public sealed class SchedulingQueueTests
{
    // Upstream backend/queue TestBackOffFlow: 1s, 2s, 4s, 8s, then capped at 10s.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(9, 10)]
    public void Backoff_DoublesPerAttempt_CappedAt10s(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SchedulingQueue.BackoffDuration(attempts));

    [Fact]
    public async Task Pop_HigherPriorityFirst_ThenOlder()
    {
        var time = new FakeTimeProvider();
        var q = new SchedulingQueue(new PrioritySort(), time);
        var low = Make.Pod("low");
        var high = Make.Pod("high");
        high.Spec.Priority = 100;
        var older = Make.Pod("older");
        q.Add(older);
        time.Advance(TimeSpan.FromSeconds(1));
        q.Add(low);
        q.Add(high);
        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            order.Add((await q.PopAsync(CancellationToken.None))!.Pod.Metadata.Name);
        }

        Assert.Equal(["high", "older", "low"], order);
    }

    [Fact]
    public async Task Unschedulable_WaitsForAnEvent_ThenBacksOff_ThenBecomesActive()
    {
        var time = new FakeTimeProvider();
        var q = new SchedulingQueue(new PrioritySort(), time);
        q.Add(Make.Pod("p"));
        var info = (await q.PopAsync(CancellationToken.None))!;
        q.AddUnschedulableIfNotPresent(info, q.SchedulingCycle);
        Assert.Equal((0, 0, 1), q.Counts);

        q.Flush();
        Assert.Equal((0, 0, 1), q.Counts);

        q.MoveAllToActiveOrBackoff();
        Assert.Equal((0, 1, 0), q.Counts);
        time.Advance(TimeSpan.FromMilliseconds(999));
        q.Flush();
        Assert.Equal((0, 1, 0), q.Counts);
        time.Advance(TimeSpan.FromMilliseconds(1));
        q.Flush();
        Assert.Equal((1, 0, 0), q.Counts);
        Assert.Equal(2, (await q.PopAsync(CancellationToken.None))!.Attempts);
    }

    [Fact]
    public async Task MoveRequestDuringAttempt_SendsTheFailedPodToBackoff()
    {
        var q = new SchedulingQueue(new PrioritySort(), new FakeTimeProvider());
        q.Add(Make.Pod("p"));
        var info = (await q.PopAsync(CancellationToken.None))!;
        var cycle = q.SchedulingCycle;
        q.MoveAllToActiveOrBackoff();
        q.AddUnschedulableIfNotPresent(info, cycle);
        Assert.Equal((0, 1, 0), q.Counts);
    }

    [Fact]
    public async Task Unschedulable_For5Minutes_IsRetried()
    {
        var time = new FakeTimeProvider();
        var q = new SchedulingQueue(new PrioritySort(), time);
        q.Add(Make.Pod("p"));
        var info = (await q.PopAsync(CancellationToken.None))!;
        q.AddUnschedulableIfNotPresent(info, q.SchedulingCycle);
        time.Advance(TimeSpan.FromMinutes(5));
        q.Flush();
        Assert.Equal((0, 0, 1), q.Counts);
        time.Advance(TimeSpan.FromSeconds(1));
        q.Flush();
        Assert.Equal((1, 0, 0), q.Counts);
    }

    [Fact]
    public async Task Delete_RemovesAWaitingPod_AndCloseEndsPop()
    {
        var q = new SchedulingQueue(new PrioritySort(), new FakeTimeProvider());
        var pod = Make.Pod("p");
        q.Add(pod);
        q.Delete(pod);
        Assert.Equal((0, 0, 0), q.Counts);
        var pop = q.PopAsync(CancellationToken.None);
        Assert.False(pop.IsCompleted);
        q.Close();
        Assert.Null(await pop.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    // Upstream backend/queue TestPriorityQueue_Add with PreEnqueue: gated pods never reach activeQ until an update admits them.
    [Fact]
    public async Task GatedPod_IsNotPopped_UntilAnUpdateRemovesTheGates()
    {
        var gates = new Skiff.Scheduler.Plugins.SchedulingGates.SchedulingGates();
        var q = new SchedulingQueue(new PrioritySort(), new FakeTimeProvider(), p => gates.PreEnqueue(p) is { } s ? Stamp(s) : null);
        var gated = Make.Pod("gated");
        gated.Spec.SchedulingGates = [new k8s.Models.V1PodSchedulingGate { Name = "a" }, new k8s.Models.V1PodSchedulingGate { Name = "b" }];
        q.Add(gated);
        q.Add(Make.Pod("free"));
        Assert.Equal("free", (await q.PopAsync(CancellationToken.None))!.Pod.Metadata.Name);
        var next = q.PopAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);
        Assert.Equal((0, 0, 0, 1), (q.Counts.Active, q.Counts.Backoff, q.Counts.Unschedulable, q.GatedCount));
        Assert.Equal("waiting for scheduling gates: [a b]", gates.PreEnqueue(gated)!.Message);

        var opened = Make.Pod("gated");
        opened.Metadata.Uid = gated.Metadata.Uid;
        q.Update(gated, opened);
        Assert.Equal("gated", (await next.WaitAsync(TimeSpan.FromSeconds(10)))!.Pod.Metadata.Name);
        Assert.Equal(0, q.GatedCount);

        static Skiff.Scheduler.Framework.Status Stamp(Skiff.Scheduler.Framework.Status s)
        {
            return s;
        }
    }
}
