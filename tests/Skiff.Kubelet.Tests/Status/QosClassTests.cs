using k8s.Models;
using Skiff.Kubelet.Status;
using Xunit;

namespace Skiff.Kubelet.Tests.Status;

public sealed class QosClassTests
{
    private static V1PodSpec Spec(Dictionary<string, string>? requests, Dictionary<string, string>? limits) => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "a",
                Resources = new V1ResourceRequirements
                {
                    Requests = requests?.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value)),
                    Limits = limits?.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value)),
                },
            },
        ],
    };

    [Fact]
    public void NoResources_IsBestEffort() => Assert.Equal("BestEffort", QosClass.Of(Spec(null, null)));

    [Fact]
    public void LimitsOnly_BothResources_IsGuaranteed() =>
        Assert.Equal("Guaranteed", QosClass.Of(Spec(null, new() { ["cpu"] = "1", ["memory"] = "1Gi" })));

    [Fact]
    public void EqualRequestsAndLimits_InOtherUnits_IsGuaranteed() =>
        Assert.Equal("Guaranteed", QosClass.Of(Spec(new() { ["cpu"] = "1000m", ["memory"] = "1024Mi" }, new() { ["cpu"] = "1", ["memory"] = "1Gi" })));

    [Fact]
    public void RequestsBelowLimits_IsBurstable() =>
        Assert.Equal("Burstable", QosClass.Of(Spec(new() { ["cpu"] = "500m" }, new() { ["cpu"] = "1", ["memory"] = "1Gi" })));

    [Fact]
    public void CpuLimitOnly_IsBurstable() => Assert.Equal("Burstable", QosClass.Of(Spec(null, new() { ["cpu"] = "1" })));
}
