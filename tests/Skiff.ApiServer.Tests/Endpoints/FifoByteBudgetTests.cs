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
    public void Release_AReplacedItem_LeavesTheBudgetAtOnce_WithoutTheCallback()
    {
        var evicted = new List<string>();
        var budget = new FifoByteBudget<string>(100, evicted.Add);
        var old = budget.Charge("row@1", 40);
        budget.Charge("other", 40);

        budget.Release(old);
        budget.Charge("row@2", 40);

        Assert.Empty(evicted); // 80 held: the replaced row no longer pushes "other" out
        Assert.Equal(80, budget.Held);
        Assert.Equal(2, budget.Count);

        budget.Release(old); // twice: nothing more
        budget.Charge("third", 40);
        Assert.Equal(["other"], evicted);
        Assert.Equal(80, budget.Held);
    }

    [Fact]
    public void Release_BeforeTheCharge_KeepsTheTicketFromBeingCharged_AndAfterEvictionDoesNothing()
    {
        var evicted = new List<int>();
        var budget = new FifoByteBudget<int>(50, evicted.Add);
        var early = new FifoByteBudget<int>.Ticket(1, 30);

        budget.Release(early);
        budget.Charge(early);
        Assert.Equal(0, budget.Held);
        Assert.Equal(0, budget.Count);

        var first = budget.Charge(2, 30);
        budget.Charge(3, 30);
        Assert.Equal([2], evicted);
        budget.Release(first);
        budget.Charge(first);
        Assert.Equal(30, budget.Held);
        Assert.Equal(1, budget.Count);
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
