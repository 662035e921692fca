using k8s.Models;
using Skiff.Controllers.ReplicaSet;
using Xunit;

namespace Skiff.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetStatusCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Calculate_CountsLabelledReadyAndAvailablePods()
    {
        var rs = RS(replicas: 4, minReadySeconds: 10);
        var pods = new[]
        {
            Pod(("app", "web"), ("tier", "front"), readySince: Now.AddSeconds(-60)),
            Pod(("app", "web"), ("tier", "front"), readySince: Now.AddSeconds(-5)),
            Pod(("app", "web"), readySince: Now.AddSeconds(-60)),
            Pod(("app", "web"), ("tier", "front"), readySince: null),
        };
        var s = ReplicaSetStatusCalculator.Calculate(rs, pods, null, Now);
        Assert.Equal((4, 3, 3, 2), (s.Replicas, s.FullyLabeledReplicas, s.ReadyReplicas, s.AvailableReplicas));
        Assert.Null(s.Conditions);
    }

    [Fact]
    public void Calculate_ManageError_SetsReplicaFailure_SuccessRemovesIt()
    {
        var rs = RS(replicas: 3, minReadySeconds: 0);
        var s = ReplicaSetStatusCalculator.Calculate(rs, [Pod(("app", "web"), ("tier", "front"), readySince: null)], new InvalidOperationException("quota exceeded"), Now);
        var c = Assert.Single(s.Conditions);
        Assert.Equal(("ReplicaFailure", "True", "FailedCreate", "quota exceeded"), (c.Type, c.Status, c.Reason, c.Message));

        rs.Status = s;
        Assert.Null(ReplicaSetStatusCalculator.Calculate(rs, [], null, Now).Conditions);
        var tooMany = ReplicaSetStatusCalculator.Calculate(RS(0, 0), [Pod(("app", "web"), readySince: null)], new InvalidOperationException("x"), Now);
        Assert.Equal("FailedDelete", Assert.Single(tooMany.Conditions).Reason);
    }

    private static V1ReplicaSet RS(int replicas, int minReadySeconds) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", Generation = 1 },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            MinReadySeconds = minReadySeconds,
            Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" } } },
        },
    };

    private static V1Pod Pod((string, string) label1, (string, string) label2, DateTimeOffset? readySince) => Pod([label1, label2], readySince);

    private static V1Pod Pod((string, string) label, DateTimeOffset? readySince) => Pod([label], readySince);

    private static V1Pod Pod((string Key, string Value)[] labels, DateTimeOffset? readySince) => new()
    {
        Metadata = new V1ObjectMeta { Name = Guid.NewGuid().ToString("N"), Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
        Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = readySince is { } t ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = t.UtcDateTime }] : [],
        },
    };
}
