using Microsoft.Extensions.Time.Testing;
using Skiff.Kubelet.Pods;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

public sealed class PodStartTraceTests
{
    [Fact]
    public void Mark_ChargesTheTimeSinceThePreviousMark_AndRepeatedStepsAccumulateInFirstSeenOrder()
    {
        var time = new FakeTimeProvider();
        var trace = new PodStartTrace("ns/p", time);
        time.Advance(TimeSpan.FromMilliseconds(200));
        trace.Mark("sandbox.run");
        time.Advance(TimeSpan.FromMilliseconds(5));
        trace.Mark("containers.list");
        time.Advance(TimeSpan.FromMilliseconds(100));
        trace.Mark("container.create");
        time.Advance(TimeSpan.FromMilliseconds(7));
        trace.Mark("containers.list");
        Assert.Equal(TimeSpan.Zero, trace.Total);
        time.Advance(TimeSpan.FromMilliseconds(3));
        trace.Published("status.patch");

        Assert.Equal(
            [("sandbox.run", 200), ("containers.list", 12), ("container.create", 100), ("status.patch", 3)],
            trace.Steps.Select(kv => (kv.Key, (int)kv.Value.TotalMilliseconds)));
        Assert.Equal(TimeSpan.FromMilliseconds(315), trace.Total);
        Assert.Equal(trace.Total, TimeSpan.FromMilliseconds(trace.Steps.Sum(kv => kv.Value.TotalMilliseconds)));
        Assert.Equal("ns/p", trace.Pod);
    }
}
