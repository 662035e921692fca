using k8s.Models;
using Skiff.Controllers.Common;
using Xunit;

namespace Skiff.Controllers.Tests.Common;

/// <summary>Upstream's TestSortingActivePodsWithRanks (pkg/controller/controller_utils_test.go), with its pods and tables.</summary>
public sealed class ActivePodsWithRanksTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Then1Month = Now.AddMonths(-1);
    private static readonly DateTime Then2Hours = Now.AddHours(-2);
    private static readonly DateTime Then5Hours = Now.AddHours(-5);
    private static readonly DateTime Then8Hours = Now.AddHours(-8);

    private static readonly Dictionary<string, V1Pod> Pods = new()
    {
        ["unscheduled"] = Pod("unscheduled", "", "Pending", false, 0, null, null),
        ["pending"] = Pod("pending", "node", "Pending", false, 0, null, null),
        ["unknown-phase"] = Pod("unknown-phase", "node", "Unknown", false, 0, null, null),
        ["not-ready"] = Pod("not-ready", "node", "Running", false, 0, null, null),
        ["ready-no-last-transition-time"] = Pod("ready-no-last-transition-time", "node", "Running", true, 0, null, null),
        ["ready-now"] = Pod("ready-now", "node", "Running", true, 0, Now, Now),
        ["ready-then"] = Pod("ready-then", "node", "Running", true, 0, Then1Month, Then1Month),
        ["ready-high-restarts"] = Pod("ready-high-restarts", "node", "Running", true, 9001, Now, Now),
        ["ready-now-created-then"] = Pod("ready-now-created-then", "node", "Running", true, 0, Now, Then1Month),
        ["low-deletion-cost"] = Pod("low-deletion-cost", "node", "Running", true, 0, Now, Then1Month, "10"),
        ["high-deletion-cost"] = Pod("high-deletion-cost", "node", "Running", true, 0, Now, Then1Month, "100"),
        ["unscheduled-5-hours"] = Pod("unscheduled-5-hours", "", "Pending", false, 0, Then5Hours, Then5Hours),
        ["unscheduled-10-hours"] = Pod("unscheduled-10-hours", "", "Pending", false, 0, Then8Hours, Then8Hours),
        ["ready-2-hours"] = Pod("ready-2-hours", "", "Running", true, 0, Then2Hours, Then1Month),
        ["ready-5-hours"] = Pod("ready-5-hours", "", "Running", true, 0, Then5Hours, Then1Month),
        ["ready-10-hours"] = Pod("ready-10-hours", "", "Running", true, 0, Then8Hours, Then1Month),
    };

    public static TheoryData<string, string> Equal => new()
    {
        { "unscheduled", "unscheduled" },
        { "pending", "pending" },
        { "unknown-phase", "unknown-phase" },
        { "not-ready", "not-ready" },
        { "ready-now-created-then", "ready-now-created-then" },
        { "ready-now", "ready-now" },
        { "ready-then", "ready-then" },
        { "ready-high-restarts", "ready-high-restarts" },
        { "unscheduled-5-hours", "unscheduled-10-hours" },
        { "ready-5-hours", "ready-10-hours" },
    };

    public static TheoryData<string, int, string, int> Lesser => new()
    {
        { "unscheduled", 1, "pending", 2 },
        { "unscheduled", 2, "pending", 1 },
        { "pending", 1, "unknown-phase", 2 },
        { "unknown-phase", 1, "not-ready", 2 },
        { "not-ready", 1, "ready-no-last-transition-time", 1 },
        { "ready-no-last-transition-time", 1, "ready-now", 1 },
        { "ready-now", 2, "ready-no-last-transition-time", 1 },
        { "ready-now", 1, "ready-then", 1 },
        { "ready-now", 2, "ready-then", 1 },
        { "ready-high-restarts", 1, "ready-now", 1 },
        { "ready-now", 2, "ready-high-restarts", 1 },
        { "ready-now", 1, "ready-now-created-then", 1 },
        { "ready-now-created-then", 2, "ready-now", 1 },
        { "low-deletion-cost", 2, "high-deletion-cost", 1 },
        { "ready-2-hours", 1, "ready-5-hours", 1 },
    };

    [Theory]
    [MemberData(nameof(Equal))]
    public void Less_EqualPods_NeitherFirst(string a, string b)
    {
        var ranks = new ActivePodsWithRanks([Pods[a], Pods[b]], [1, 1], Now);
        Assert.False(ranks.Less(0, 1), $"{a} < {b}");
        Assert.False(ranks.Less(1, 0), $"{b} < {a}");
    }

    [Theory]
    [MemberData(nameof(Lesser))]
    public void Less_UpstreamOrder(string lesser, int lesserRank, string greater, int greaterRank)
    {
        var ranks = new ActivePodsWithRanks([Pods[lesser], Pods[greater]], [lesserRank, greaterRank], Now);
        Assert.True(ranks.Less(0, 1), $"{lesser} (rank {lesserRank}) should come before {greater} (rank {greaterRank})");
        Assert.False(ranks.Less(1, 0), $"{greater} (rank {greaterRank}) should not come before {lesser} (rank {lesserRank})");
    }

    [Fact]
    public void Less_WithoutNow_ComparesTimesDirectly()
    {
        // Upstream's LogarithmicScaleDown-off rows: 5 and 8 hours are different times, the newer first.
        var ranks = new ActivePodsWithRanks([Pods["unscheduled-5-hours"], Pods["unscheduled-10-hours"]], [1, 1], null);
        Assert.True(ranks.Less(0, 1));
        ranks = new ActivePodsWithRanks([Pods["ready-5-hours"], Pods["ready-10-hours"]], [1, 1], null);
        Assert.True(ranks.Less(0, 1));
    }

    [Fact]
    public void Sorted_PutsThePodToDeleteFirst()
    {
        var order = new[] { "ready-then", "ready-now", "not-ready", "pending", "unscheduled", "unknown-phase" };
        var ranks = new ActivePodsWithRanks([.. order.Select(n => Pods[n])], [.. order.Select(_ => 0)], Now);
        Assert.Equal(["unscheduled", "pending", "unknown-phase", "not-ready", "ready-now", "ready-then"], ranks.Sorted().Select(p => p.Metadata.Name));
    }

    private static V1Pod Pod(string name, string node, string phase, bool ready, int restarts, DateTime? readySince, DateTime? created, string? deletionCost = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            CreationTimestamp = created,
            Annotations = deletionCost is null ? null : new Dictionary<string, string> { [ActivePodsWithRanks.PodDeletionCostAnnotation] = deletionCost },
        },
        Spec = new V1PodSpec { NodeName = node },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = ready ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = readySince }] : [],
            ContainerStatuses = restarts > 0 ? [new V1ContainerStatus { RestartCount = restarts }] : [],
        },
    };
}
