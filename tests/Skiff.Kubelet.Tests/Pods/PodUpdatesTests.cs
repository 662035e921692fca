using k8s.Models;
using Skiff.Kubelet.Pods;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

public sealed class PodUpdatesTests
{
    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", Uid = "u", ResourceVersion = "1", Labels = new Dictionary<string, string> { ["app"] = "a" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        Status = new V1PodStatus { Phase = "Pending" },
    };

    [Fact]
    public void NeedsSync_StatusOnlyChange_DoesNot()
    {
        var updated = Pod();
        updated.Metadata.ResourceVersion = "2";
        updated.Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.5" };
        Assert.False(PodUpdates.NeedsSync(Pod(), updated));
    }

    public static TheoryData<string, Action<V1Pod>> SemanticChanges => new()
    {
        { "deletionTimestamp", p => p.Metadata.DeletionTimestamp = DateTime.UtcNow },
        { "deletionGracePeriodSeconds", p => p.Metadata.DeletionGracePeriodSeconds = 0 },
        { "labels", p => p.Metadata.Labels["app"] = "b" },
        { "annotations", p => p.Metadata.Annotations = new Dictionary<string, string> { ["x"] = "y" } },
        { "spec", p => p.Spec.Containers[0].Image = "busybox:2" },
    };

    [Theory]
    [MemberData(nameof(SemanticChanges))]
    public void NeedsSync_SemanticChange_Does(string what, Action<V1Pod> change)
    {
        var updated = Pod();
        change(updated);
        Assert.True(PodUpdates.NeedsSync(Pod(), updated), what);
    }

    [Fact]
    public void NeedsSync_StatusOnlyChangeOfAPodWithReadinessGates_Does()
    {
        var old = Pod();
        old.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/ready" }];
        var updated = Pod();
        updated.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/ready" }];
        updated.Status.Conditions = [new V1PodCondition { Type = "example.com/ready", Status = "True" }];
        Assert.True(PodUpdates.NeedsSync(old, updated));
    }
}
