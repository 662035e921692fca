using k8s.Models;
using Skiff.Kubelet.Status;
using Xunit;

namespace Skiff.Kubelet.Tests.Status;

public sealed class NodeStatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static NodeRuntimeStatus Runtime() => new()
    {
        Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110") },
        Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3800m") },
        Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "172.16.0.2" }, new V1NodeAddress { Type = "Hostname", Address = "n" }],
        NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.32.0" },
    };

    [Fact]
    public void Healthy_ConditionsInUpstreamOrder_WithUpstreamReasonsAndMessages()
    {
        var s = NodeStatusBuilder.Build(Runtime(), null, Now);
        Assert.Equal(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"], s.Conditions.Select(c => c.Type));
        Assert.Equal(["False", "False", "False", "True"], s.Conditions.Select(c => c.Status));
        Assert.Equal(["KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID", "KubeletReady"], s.Conditions.Select(c => c.Reason));
        Assert.Equal("kubelet is posting ready status", s.Conditions[3].Message);
        Assert.All(s.Conditions, c => Assert.Equal(Now.UtcDateTime, c.LastHeartbeatTime));
        Assert.Equal("3800m", s.Allocatable["cpu"].ToString());
        Assert.Equal("16Gi", s.Allocatable["memory"].ToString());
        Assert.Equal(10250, s.DaemonEndpoints.KubeletEndpoint.Port);
        Assert.Equal("172.16.0.2", s.Addresses[0].Address);
    }

    [Fact]
    public void Pressure_AndNotReady_UseTheTrueReasons()
    {
        var s = NodeStatusBuilder.Build(Runtime() with { MemoryPressure = true, DiskPressure = true, PidPressure = true, NotReadyErrors = ["container runtime is down"] }, null, Now);
        Assert.Equal(["KubeletHasInsufficientMemory", "KubeletHasDiskPressure", "KubeletHasInsufficientPID", "KubeletNotReady"], s.Conditions.Select(c => c.Reason));
        Assert.Equal(["True", "True", "True", "False"], s.Conditions.Select(c => c.Status));
        Assert.Equal("container runtime is down", s.Conditions[3].Message);
    }

    [Fact]
    public void Heartbeat_MovesTransitionStays_AndIsNotAChange()
    {
        var first = NodeStatusBuilder.Build(Runtime(), null, Now);
        var second = NodeStatusBuilder.Build(Runtime(), first, Now.AddSeconds(10));
        Assert.All(second.Conditions, c => Assert.Equal(Now.UtcDateTime, c.LastTransitionTime));
        Assert.All(second.Conditions, c => Assert.Equal(Now.AddSeconds(10).UtcDateTime, c.LastHeartbeatTime));
        Assert.False(NodeStatusBuilder.Changed(first, second));

        var pressured = NodeStatusBuilder.Build(Runtime() with { MemoryPressure = true }, second, Now.AddSeconds(20));
        Assert.True(NodeStatusBuilder.Changed(second, pressured));
        Assert.Equal(Now.AddSeconds(20).UtcDateTime, pressured.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void OthersConditions_AreKept()
    {
        var old = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "NetworkUnavailable", Status = "False", Reason = "RouteCreated" }] };
        var s = NodeStatusBuilder.Build(Runtime(), old, Now);
        Assert.Equal("NetworkUnavailable", s.Conditions[0].Type);
        Assert.Equal(5, s.Conditions.Count);
    }
}
