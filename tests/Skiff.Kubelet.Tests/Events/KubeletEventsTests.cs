using k8s.Models;
using Skiff.Kubelet.Events;
using Xunit;

namespace Skiff.Kubelet.Tests.Events;

public sealed class KubeletEventsTests
{
    private static readonly V1Pod Pod = new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u-1" },
        Spec = new V1PodSpec
        {
            InitContainers = [new V1Container { Name = "init" }],
            Containers = [new V1Container { Name = "app" }],
            EphemeralContainers = [new V1EphemeralContainer { Name = "debug" }],
        },
    };

    [Theory]
    [InlineData("init", "spec.initContainers{init}")]
    [InlineData("app", "spec.containers{app}")]
    [InlineData("debug", "spec.ephemeralContainers{debug}")]
    public void FieldPathNamesTheContainerAsUpstreamsReference(string container, string expected) =>
        Assert.Equal(expected, KubeletEvents.FieldPath(Pod, container));

    [Fact]
    public void PodDescriptionIsUpstreamsFormatPod() => Assert.Equal("p_ns(u-1)", KubeletEvents.PodDescription(Pod));

    [Theory]
    [InlineData("Ready", "True", "NodeReady")]
    [InlineData("Ready", "False", "NodeNotReady")]
    [InlineData("Ready", "Unknown", "NodeNotReady")]
    [InlineData("MemoryPressure", "False", "NodeHasSufficientMemory")]
    [InlineData("MemoryPressure", "True", "NodeHasInsufficientMemory")]
    [InlineData("DiskPressure", "False", "NodeHasNoDiskPressure")]
    [InlineData("DiskPressure", "True", "NodeHasDiskPressure")]
    [InlineData("PIDPressure", "False", "NodeHasSufficientPID")]
    [InlineData("PIDPressure", "True", "NodeHasInsufficientPID")]
    [InlineData("NetworkUnavailable", "False", null)]
    public void NodeConditionReasonsAreUpstreams(string type, string status, string? reason) =>
        Assert.Equal(reason, KubeletEvents.NodeConditionReason(type, status));

    [Theory]
    [InlineData(1234, "1.234s")]
    [InlineData(450, "450ms")]
    [InlineData(2000, "2s")]
    public void PullDurationsPrintAsGoDurations(int ms, string expected) =>
        Assert.Equal(expected, KubeletEvents.GoDuration(TimeSpan.FromMilliseconds(ms)));
}
