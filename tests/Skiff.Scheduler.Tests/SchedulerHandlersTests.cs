using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>The pod-update handler's label comparison (a pod without labels used to throw inside the handler).</summary>
public sealed class SchedulerHandlersTests
{
    [Fact]
    public void SameLabels_NullAndEmptyAreEqual_AndAnyDifferenceIsNot()
    {
        Assert.True(Skiff.Scheduler.Scheduler.SameLabels(null, null));
        Assert.True(Skiff.Scheduler.Scheduler.SameLabels(null, new Dictionary<string, string>()));
        Assert.True(Skiff.Scheduler.Scheduler.SameLabels(new Dictionary<string, string> { ["a"] = "1" }, new Dictionary<string, string> { ["a"] = "1" }));
        Assert.False(Skiff.Scheduler.Scheduler.SameLabels(null, new Dictionary<string, string> { ["a"] = "1" }));
        Assert.False(Skiff.Scheduler.Scheduler.SameLabels(new Dictionary<string, string> { ["a"] = "1" }, null));
        Assert.False(Skiff.Scheduler.Scheduler.SameLabels(new Dictionary<string, string> { ["a"] = "1" }, new Dictionary<string, string> { ["a"] = "2" }));
        Assert.False(Skiff.Scheduler.Scheduler.SameLabels(new Dictionary<string, string> { ["a"] = "1" }, new Dictionary<string, string> { ["b"] = "1" }));
    }
}
