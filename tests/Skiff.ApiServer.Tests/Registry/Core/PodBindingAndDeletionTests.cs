using Skiff.Api.Errors;
using Skiff.ApiServer.Registry.Core;
using Xunit;
using static Skiff.ApiServer.Tests.Registry.StrategyHarness;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class PodBindingAndDeletionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-01-01T00:00:00Z");

    [Fact]
    public void Apply_UnassignedPod_SetsNodeAnnotationsAndScheduledCondition()
    {
        var pod = Parse("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"b"}]},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable"}]}}""");
        var binding = Parse("""{"metadata":{"name":"p","annotations":{"k":"v"}},"target":{"kind":"Node","name":"n1"}}""");
        Assert.Empty(PodBinding.Validate(binding));
        PodBinding.Apply(pod, "/registry/pods/default/p", binding, Now);
        Assert.Equal("n1", (string?)pod["spec"]!["nodeName"]);
        Assert.Equal("v", (string?)pod["metadata"]!["annotations"]!["k"]);
        var cond = pod["status"]!["conditions"]![0]!;
        Assert.Equal("True", (string?)cond["status"]);
        Assert.Null(cond["reason"]);
        Assert.Equal("2025-01-01T00:00:00Z", (string?)cond["lastTransitionTime"]);
    }

    [Fact]
    public void Apply_AssignedPod_ConflictWithUpstreamMessage()
    {
        var pod = Parse("""{"metadata":{"name":"p"},"spec":{"nodeName":"n0"}}""");
        var e = Assert.Throws<StatusException>(() => PodBinding.Apply(pod, "/registry/pods/default/p", Parse("""{"target":{"name":"n1"}}"""), Now));
        Assert.Equal(409, e.Code);
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"n0\"", e.Message);
    }

    [Fact]
    public void Validate_BadTarget_UpstreamErrors()
    {
        var errors = PodBinding.Validate(Parse("""{"target":{"kind":"Pod"}}""")).Select(e => e.ToString()).ToList();
        Assert.Equal(["target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"", "target.name: Required value"], errors);
    }

    [Theory]
    [InlineData("""{"spec":{"nodeName":"n1","terminationGracePeriodSeconds":30},"status":{"phase":"Running"}}""", null, 30L)]
    [InlineData("""{"spec":{"nodeName":"n1","terminationGracePeriodSeconds":30},"status":{"phase":"Running"}}""", 5L, 5L)]
    [InlineData("""{"spec":{"nodeName":"n1","terminationGracePeriodSeconds":30},"status":{"phase":"Running"}}""", 0L, null)]
    [InlineData("""{"spec":{"nodeName":"n1"},"status":{"phase":"Running"}}""", -3L, 1L)]
    [InlineData("""{"spec":{"terminationGracePeriodSeconds":30},"status":{"phase":"Pending"}}""", null, null)]
    [InlineData("""{"spec":{"nodeName":"n1","terminationGracePeriodSeconds":30},"status":{"phase":"Succeeded"}}""", null, null)]
    public void DeletionGracePeriod_LikeUpstreamCheckGracefulDelete(string json, long? requested, long? expected)
    {
        Assert.Equal(expected, PodStrategy.Instance.DeletionGracePeriod(Parse(json), requested));
    }

    [Fact]
    public void DeletionGracePeriod_OtherTypes_Immediate()
    {
        Assert.Null(DeploymentLike().DeletionGracePeriod(Parse("{}"), 30));
    }

    private static Skiff.ApiServer.Registry.IResourceStrategy DeploymentLike() => Skiff.ApiServer.Registry.Apps.DeploymentStrategy.Instance;
}
