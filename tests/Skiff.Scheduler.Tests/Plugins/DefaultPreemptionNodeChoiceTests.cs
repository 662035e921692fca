using k8s.Models;
using Skiff.Scheduler.Plugins.DefaultPreemption;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>Upstream's <c>pickOneNodeForPreemption</c> ties broken by the victims' start times (its last criterion).</summary>
public sealed class DefaultPreemptionNodeChoiceTests
{
    private static V1Pod Victim(string name, int priority, DateTime? started)
    {
        var p = Make.Pod(name);
        p.Spec.Priority = priority;
        p.Status = new V1PodStatus { StartTime = started };
        return p;
    }

    [Fact]
    public void SameVictimCountsAndPriorities_TheNodeWhoseHighestPriorityVictimsStartedLatestWins()
    {
        var t0 = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var older = new List<V1Pod> { Victim("a1", 10, t0), Victim("a2", 5, t0.AddHours(5)) };
        var newer = new List<V1Pod> { Victim("b1", 10, t0.AddHours(1)), Victim("b2", 5, t0) };
        Assert.True(DefaultPreemption.Better((newer, 0), (older, 0)));
        Assert.False(DefaultPreemption.Better((older, 0), (newer, 0)));
        Assert.False(DefaultPreemption.Better((older, 0), (older, 0)));
    }

    [Fact]
    public void FewerVictims_StillBeatsALaterStart()
    {
        var t0 = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var one = new List<V1Pod> { Victim("a", 0, t0) };
        var two = new List<V1Pod> { Victim("b", 0, t0.AddHours(1)), Victim("c", -1, null) };
        Assert.Equal(two.Sum(p => (long)p.Spec.Priority!.Value + int.MaxValue + 1) < one.Sum(p => (long)p.Spec.Priority!.Value + int.MaxValue + 1),
            DefaultPreemption.Better((two, 0), (one, 0)));
        Assert.True(DefaultPreemption.Better((one, 0), (two, 0)));
    }
}
