using k8s.Models;
using Skiff.Scheduler.Plugins.PodTopologySpread;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins.PodTopologySpread;

/// <summary>The compiled selector of a constraint: what it counts, and that replacing the selector recompiles it.</summary>
public sealed class SpreadConstraintTests
{
    private static readonly V1LabelSelector AppWeb = new()
    {
        MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
        MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["front", "edge"] }],
    };

    private static SpreadConstraint Constraint(V1LabelSelector? selector) =>
        SpreadConstraint.From([new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "zone", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = selector }], null, "ScheduleAnyway").Single();

    private static V1Pod Pod(string name, string ns, params (string Key, string Value)[] labels) =>
        Make.Pod(name, ns, labels.ToDictionary(l => l.Key, l => l.Value));

    [Fact]
    public void Count_MatchingPodsOfTheNamespaceNotTerminating()
    {
        var terminating = Pod("t", "default", ("app", "web"), ("tier", "front"));
        terminating.Metadata.DeletionTimestamp = DateTime.UtcNow;
        V1Pod[] pods =
        [
            Pod("a", "default", ("app", "web"), ("tier", "front")),
            Pod("b", "default", ("app", "web"), ("tier", "edge"), ("extra", "x")),
            Pod("c", "default", ("app", "web"), ("tier", "back")),
            Pod("d", "default", ("app", "web")),
            Pod("e", "other", ("app", "web"), ("tier", "front")),
            Make.Pod("f", "default"),
            terminating,
        ];

        Assert.Equal(2, Constraint(AppWeb).Count(pods, "default"));
        Assert.Equal(1, Constraint(AppWeb).Count(pods, "other"));
    }

    [Fact]
    public void With_NewSelector_CountsWithTheNewSelector()
    {
        V1Pod[] pods = [Pod("a", "default", ("app", "web"), ("tier", "front")), Pod("b", "default", ("app", "db"))];
        var web = Constraint(AppWeb);
        Assert.Equal(1, web.Count(pods, "default"));

        var db = web with { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } } };

        Assert.Equal(1, db.Count([pods[1]], "default"));
        Assert.Equal(0, db.Count([pods[0]], "default"));
        Assert.Equal(1, web.Count([pods[0]], "default"));
    }

    [Fact]
    public void NilSelector_MatchesNothing()
    {
        var none = Constraint(null);

        Assert.False(none.Matches(new Dictionary<string, string> { ["app"] = "web" }));
        Assert.Equal(0, none.Count([Make.Pod("a")], "default"));
    }

    [Fact]
    public void EmptySelector_MatchesEverything()
    {
        var all = Constraint(new V1LabelSelector());

        Assert.True(all.Matches(null));
        Assert.Equal(2, all.Count([Make.Pod("a"), Pod("b", "default", ("x", "y"))], "default"));
    }
}
