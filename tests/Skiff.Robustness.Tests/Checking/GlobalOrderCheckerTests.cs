using Skiff.Robustness.Checking;
using Skiff.Robustness.History;
using Xunit;

namespace Skiff.Robustness.Tests.Checking;

public sealed class GlobalOrderCheckerTests
{
    [Fact]
    public void RevisionsFollowingRealTime_Pass()
    {
        var h = new Histories()
            .Create("a", "a1", 0, 2, Outcome.Ok, rv: 11)
            .Create("b", "b1", 1, 3, Outcome.Ok, rv: 10) // concurrent with a's create: either order
            .Create("c", "c1", 4, 5, Outcome.Ok, rv: 12)
            .List(6, 7, 12);
        Assert.Empty(GlobalOrderChecker.Check(h.Ops));
    }

    [Fact]
    public void RevisionBelowAnEarlierWriteOnAnotherKey_Fails()
    {
        var h = new Histories()
            .Create("a", "a1", 0, 1, Outcome.Ok, rv: 11)
            .Create("b", "b1", 2, 3, Outcome.Ok, rv: 10);
        Assert.Contains("not above 11", Assert.Single(GlobalOrderChecker.Check(h.Ops)).Message);
    }

    [Fact]
    public void SameRevisionForTwoWrites_Fails()
    {
        var h = new Histories()
            .Create("a", "a1", 0, 3, Outcome.Ok, rv: 11)
            .Create("b", "b1", 1, 2, Outcome.Ok, rv: 11);
        Assert.Contains(GlobalOrderChecker.Check(h.Ops), v => v.Message.Contains("acknowledged for 2 different writes", StringComparison.Ordinal));
    }

    [Fact]
    public void StaleConsistentList_Fails()
    {
        var h = new Histories()
            .Create("a", "a1", 0, 1, Outcome.Ok, rv: 11)
            .List(2, 3, 10);
        Assert.Contains("stale consistent list", Assert.Single(GlobalOrderChecker.Check(h.Ops)).Message);
    }
}
