using Microsoft.Extensions.Time.Testing;
using Skiff.Controllers.Common;
using Xunit;

namespace Skiff.Controllers.Tests.Common;

public sealed class ControllerExpectationsTests
{
    [Fact]
    public void Satisfied_AfterEveryCreationObserved()
    {
        var e = new ControllerExpectations(new FakeTimeProvider());
        Assert.True(e.Satisfied("ns/rs"));
        e.ExpectCreations("ns/rs", 2);
        Assert.False(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.False(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.True(e.Satisfied("ns/rs"));
    }

    [Fact]
    public void DeletionObserved_CountsEachExpectedPodOnce()
    {
        var e = new ControllerExpectations(new FakeTimeProvider());
        e.ExpectDeletions("ns/rs", ["ns/a", "ns/b"]);
        e.DeletionObserved("ns/rs", "ns/a");
        e.DeletionObserved("ns/rs", "ns/a");
        e.DeletionObserved("ns/rs", "ns/other");
        Assert.False(e.Satisfied("ns/rs"));
        Assert.Equal((0, 1), e.Get("ns/rs"));
        e.DeletionObserved("ns/rs", "ns/b");
        Assert.True(e.Satisfied("ns/rs"));
    }

    [Fact]
    public void Satisfied_AfterTimeout()
    {
        var time = new FakeTimeProvider();
        var e = new ControllerExpectations(time);
        e.ExpectCreations("ns/rs", 1);
        time.Advance(ControllerExpectations.Timeout);
        Assert.False(e.Satisfied("ns/rs"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(e.Satisfied("ns/rs"));
    }
}
