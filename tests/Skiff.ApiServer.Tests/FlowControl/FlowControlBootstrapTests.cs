using System.Text.Json.Nodes;
using Skiff.ApiServer.FlowControl;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary><see cref="FlowControlBootstrap.SpecEquals"/>: the comparison the ensurer and the mandatory-spec check share.</summary>
public sealed class FlowControlBootstrapTests
{
    /// <summary>A bootstrap schema's spec with resource rules that leave clusterScope out (false by default).</summary>
    private static JsonNode Namespaced() => FlowControlBootstrap.SuggestedFlowSchemas()
        .Select(f => f["spec"]!)
        .First(spec => NamespacedRules(spec).Any());

    private static IEnumerable<JsonObject> NamespacedRules(JsonNode spec) =>
        spec["rules"]!.AsArray().SelectMany(r => r!["resourceRules"]?.AsArray() ?? []).Select(r => r!.AsObject()).Where(r => r["clusterScope"] is null);

    [Fact]
    public void SpecEquals_DefaultedClusterScopeFalse_IsTheSameSpec()
    {
        var stored = Namespaced();
        foreach (var rule in NamespacedRules(stored).ToList())
        {
            rule["clusterScope"] = false;
        }

        Assert.True(FlowControlBootstrap.SpecEquals(stored, Namespaced()));
        Assert.True(FlowControlBootstrap.SpecEquals(Namespaced(), stored));
    }

    [Fact]
    public void SpecEquals_ClusterScopeTrueOrAnotherChange_Differs()
    {
        var scoped = Namespaced();
        NamespacedRules(scoped).First()["clusterScope"] = true;
        var moved = Namespaced();
        moved["matchingPrecedence"] = 9999;

        Assert.False(FlowControlBootstrap.SpecEquals(scoped, Namespaced()));
        Assert.False(FlowControlBootstrap.SpecEquals(moved, Namespaced()));
        Assert.False(FlowControlBootstrap.SpecEquals(null, Namespaced()));
    }

    [Fact]
    public void SpecEquals_LeavesItsArgumentsAlone()
    {
        var stored = Namespaced();
        NamespacedRules(stored).First()["clusterScope"] = false;
        var before = stored.ToJsonString();

        _ = FlowControlBootstrap.SpecEquals(stored, Namespaced());

        Assert.Equal(before, stored.ToJsonString());
    }
}
