using Skiff.ApiServer.Endpoints;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

public sealed class FifoByteBudgetTests
{
    [Fact]
    public void Charge_PastTheBudget_EvictsTheOldestUntilItFits()
    {
        var evicted = new List<int>();
        var budget = new FifoByteBudget<int>(100, evicted.Add);

        for (var i = 0; i < 10; i++)
        {
            budget.Charge(i, 30);
            Assert.True(budget.Held <= 100, $"held {budget.Held} after item {i}");
        }

        Assert.Equal([0, 1, 2, 3, 4, 5, 6], evicted);
        Assert.Equal(90, budget.Held);
        Assert.Equal(3, budget.Count);
    }

    [Fact]
    public void Budget_Lowered_EvictsAtOnce_AndAnItemLargerThanTheBudgetDoesNotFit()
    {
        var evicted = new List<string>();
        var budget = new FifoByteBudget<string>(1000, evicted.Add);
        budget.Charge("a", 400);
        budget.Charge("b", 400);

        budget.Budget = 500;

        Assert.Equal(["a"], evicted);
        Assert.Equal(400, budget.Held);
        Assert.False(budget.Fits(501));
        Assert.True(budget.Fits(500));
    }

    [Fact]
    public async Task Charge_Concurrently_NeverLosesCount()
    {
        var evictions = 0;
        var budget = new FifoByteBudget<int>(1_000, _ => Interlocked.Increment(ref evictions));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                budget.Charge(i, 10);
            }
        })));

        Assert.Equal(1_000, budget.Held);
        Assert.Equal(100, budget.Count);
        Assert.Equal(3_900, evictions);
    }
}
