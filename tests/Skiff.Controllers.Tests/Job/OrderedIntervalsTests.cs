using Skiff.Controllers.Job;
using Xunit;

namespace Skiff.Controllers.Tests.Job;

public sealed class OrderedIntervalsTests
{
    [Theory]
    [InlineData("", 10, "", 0)]
    [InlineData("1,3-5,7", 10, "1,3-5,7", 5)]
    [InlineData("0,1,2", 10, "0-2", 3)]
    [InlineData("3,4", 10, "3,4", 2)]
    [InlineData("2-8", 5, "2-4", 3)]
    [InlineData("1,x,6,9", 7, "1,6", 2)]
    public void Parse_ThenToString_IsUpstreamsForm(string text, int completions, string expected, int total)
    {
        var set = OrderedIntervals.Parse(text, completions);
        Assert.Equal(expected, set.ToString());
        Assert.Equal(total, set.Total);
    }

    [Fact]
    public void WithOrderedIndexes_MergesAdjacentAndOverlapping()
    {
        var set = OrderedIntervals.Parse("1,5-6", 100).WithOrderedIndexes([0, 2, 7, 9]);
        Assert.Equal("0-2,5-7,9", set.ToString());
        Assert.True(set.Has(6));
        Assert.False(set.Has(3));
        Assert.False(set.Has(10));
        Assert.Equal("0-9", set.Merge(OrderedIntervals.Parse("3,4,8", 100)).ToString());
    }
}
