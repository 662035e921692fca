using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Controllers.Job;
using Xunit;

namespace Skiff.Controllers.Tests.Job;

public sealed class JobPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 0, 10)]
    [InlineData(2, 0, 20)]
    [InlineData(3, 5, 35)]
    [InlineData(7, 0, 600)]
    [InlineData(30, 0, 600)]
    [InlineData(1, 11, 0)]
    public void BackoffRemaining_DoublesFrom10sCappedAt10Min(int failures, int secondsSince, int expectedSeconds)
    {
        var clock = new FakeTimeProvider(T0.AddSeconds(secondsSince));
        var remaining = BackoffRecord.RemainingTime(clock, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), failures, T0);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), remaining);
    }

    [Fact]
    public void BackoffStore_FailuresAddUp_ASuccessResetsToLaterFailures()
    {
        var store = new BackoffStore();
        var r = store.NewRecord("ns/j", [], [Pod("Failed", T0), Pod("Failed", T0.AddSeconds(5))]);
        Assert.Equal((2, T0.AddSeconds(5)), (r.FailuresAfterLastSuccess, r.LastFailureTime));
        store.Update(r);
        r = store.NewRecord("ns/j", [], [Pod("Failed", T0.AddSeconds(9))]);
        Assert.Equal(3, r.FailuresAfterLastSuccess);
        store.Update(r);
        r = store.NewRecord("ns/j", [Pod("Succeeded", T0.AddSeconds(20))], [Pod("Failed", T0.AddSeconds(15)), Pod("Failed", T0.AddSeconds(30))]);
        Assert.Equal((1, T0.AddSeconds(30)), (r.FailuresAfterLastSuccess, r.LastFailureTime));
        r = store.NewRecord("ns/j", [Pod("Succeeded", T0.AddSeconds(40))], []);
        Assert.Equal((0, (DateTimeOffset?)null), (r.FailuresAfterLastSuccess, r.LastFailureTime));
    }

    [Fact]
    public void PodFailurePolicy_FirstMatchingRuleWins()
    {
        var policy = new V1PodFailurePolicy
        {
            Rules =
            [
                new V1PodFailurePolicyRule { Action = "Ignore", OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }] },
                new V1PodFailurePolicyRule { Action = "FailJob", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "In", Values = [42] } },
                new V1PodFailurePolicyRule { Action = "Count", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "NotIn", Values = [1, 2] } },
            ],
        };
        Assert.Equal(new PodFailurePolicyMatch(null, false, "Ignore"), PodFailurePolicyMatch.Match(policy, Pod("Failed", T0, 42, "DisruptionTarget")));
        var failJob = PodFailurePolicyMatch.Match(policy, Pod("Failed", T0, 42));
        Assert.Equal(("FailJob", true), (failJob.Action, failJob.CountFailed));
        Assert.Equal("Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1", failJob.FailJobMessage);
        Assert.Equal("Count", PodFailurePolicyMatch.Match(policy, Pod("Failed", T0, 3)).Action);
        Assert.Equal(new PodFailurePolicyMatch(null, true, null), PodFailurePolicyMatch.Match(policy, Pod("Failed", T0, 1)));
        Assert.Equal(new PodFailurePolicyMatch(null, true, null), PodFailurePolicyMatch.Match(null, Pod("Failed", T0, 42)));
    }

    [Theory]
    [InlineData("0-2", null, "0-2,5", true)]
    [InlineData("0-2", null, "0,2,5", false)]
    [InlineData("0-4", 2, "3,9", false)]
    [InlineData("0-4", 2, "3,4", true)]
    [InlineData(null, 3, "1,7,8", true)]
    [InlineData(null, 4, "1,7,8", false)]
    public void SuccessPolicy_IndexesOrCount(string? indexes, int? count, string succeeded, bool met)
    {
        var policy = new V1SuccessPolicy { Rules = [new V1SuccessPolicyRule { SucceededIndexes = indexes, SucceededCount = count }] };
        var message = SuccessPolicyMatch.Match(policy, 10, OrderedIntervals.Parse(succeeded, 10));
        Assert.Equal(met ? "Matched rules at index 0" : null, message);
    }

    private static V1Pod Pod(string phase, DateTimeOffset finished, int exitCode = 0, string? condition = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = Guid.NewGuid().ToString() },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = condition is null ? null : [new V1PodCondition { Type = condition, Status = "True" }],
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "main",
                    State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, FinishedAt = finished.UtcDateTime } },
                },
            ],
        },
    };
}
