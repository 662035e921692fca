using Skiff.ApiServer.Admission;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>A derived value is reused while its source is the same object, derived again for a new one, and bounded.</summary>
public sealed class DerivedCacheTests
{
    private sealed record Derived(object Source, int Serial);

    [Fact]
    public void ReusesTheValueWhileTheSourceIsTheSameAndDerivesAgainForANewSource()
    {
        var derivations = 0;
        var cache = new DerivedCache<object, Derived>(s => new Derived(s, ++derivations), static (d, s) => ReferenceEquals(d.Source, s));
        var v1 = new object();
        var v2 = new object();

        var first = cache.Get("ns", v1);
        Assert.Same(first, cache.Get("ns", v1));
        Assert.Equal(1, derivations);

        var second = cache.Get("ns", v2);
        Assert.NotSame(first, second);
        Assert.Same(v2, second.Source);
        Assert.Equal(2, derivations);
        Assert.Same(first.Source, cache.Get("other", v1).Source);
        Assert.Equal(3, derivations);
    }

    [Fact]
    public void StartsOverPastItsCapacity()
    {
        var derivations = 0;
        var cache = new DerivedCache<object, Derived>(s => new Derived(s, ++derivations), static (d, s) => ReferenceEquals(d.Source, s), capacity: 2);
        var source = new object();
        cache.Get("a", source);
        cache.Get("b", source);
        cache.Get("c", source); // clears a and b

        cache.Get("a", source);

        Assert.Equal(4, derivations);
    }
}
