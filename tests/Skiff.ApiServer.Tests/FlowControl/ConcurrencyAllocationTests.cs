using Skiff.ApiServer.FlowControl;
using Xunit;
using Item = Skiff.ApiServer.FlowControl.ConcurrencyAllocation.Item;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>Upstream's <c>computeConcurrencyAllocation</c> properties (conc_alloc_test.go's shapes).</summary>
public sealed class ConcurrencyAllocationTests
{
    [Fact]
    public void NoBoundMatters_ProportionalToTargets()
    {
        var a = ConcurrencyAllocation.Compute(8, [new Item(1, 0, 100), new Item(3, 0, 100)])!;
        Assert.Equal(2, a[0], 6);
        Assert.Equal(6, a[1], 6);
    }

    [Fact]
    public void LowerBound_Binds_RestSharedByTheOthers()
    {
        // Equal targets, but the first may not go below 5: the others share the single seat left.
        var a = ConcurrencyAllocation.Compute(6, [new Item(5, 5, 10), new Item(5, 0, 10), new Item(5, 0, 10)])!;
        Assert.Equal(5, a[0], 6);
        Assert.Equal(0.5, a[1], 6);
        Assert.Equal(0.5, a[2], 6);
    }

    [Fact]
    public void UpperBound_Binds()
    {
        var a = ConcurrencyAllocation.Compute(10, [new Item(1, 0, 10), new Item(10, 0, 4)])!;
        Assert.Equal(6, a[0], 6);
        Assert.Equal(4, a[1], 6);
    }

    [Fact]
    public void ZeroTargets_CountAsMinTarget()
    {
        var a = ConcurrencyAllocation.Compute(4, [new Item(0, 0, 10), new Item(0, 0, 10)])!;
        Assert.Equal(2, a[0], 6);
        Assert.Equal(2, a[1], 6);
    }

    [Fact]
    public void Impossible_IsNull()
    {
        Assert.Null(ConcurrencyAllocation.Compute(10, [new Item(1, 0, 4), new Item(1, 0, 4)]));
        Assert.Null(ConcurrencyAllocation.Compute(2, [new Item(3, 3, 4)]));
        Assert.Null(ConcurrencyAllocation.Compute(2, [new Item(1, 2, 4)]));
    }
}
