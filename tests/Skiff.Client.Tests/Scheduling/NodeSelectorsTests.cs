using k8s.Models;
using Skiff.Client.Scheduling;
using Xunit;

namespace Skiff.Client.Tests.Scheduling;

/// <summary>Cases after upstream's <c>nodeaffinity</c> tests (component-helpers/scheduling/corev1/nodeaffinity).</summary>
public sealed class NodeSelectorsTests
{
    private static readonly V1Node Node = new()
    {
        Metadata = new V1ObjectMeta { Name = "n1", Labels = new Dictionary<string, string> { ["zone"] = "a", ["gpus"] = "4" } },
    };

    [Theory]
    [InlineData("zone", "In", "a,b", true)]
    [InlineData("zone", "In", "b", false)]
    [InlineData("zone", "NotIn", "b", true)]
    [InlineData("missing", "NotIn", "b", true)]
    [InlineData("zone", "Exists", "", true)]
    [InlineData("missing", "Exists", "", false)]
    [InlineData("missing", "DoesNotExist", "", true)]
    [InlineData("gpus", "Gt", "3", true)]
    [InlineData("gpus", "Gt", "4", false)]
    [InlineData("gpus", "Lt", "5", true)]
    [InlineData("gpus", "Gt", "3,1", false)] // Gt/Lt take exactly one value
    [InlineData("zone", "Gt", "1", false)] // not an integer
    [InlineData("zone", "Bogus", "a", false)]
    public void Matches_LabelExpression_AsUpstream(string key, string op, string values, bool expected)
    {
        var term = new V1NodeSelectorTerm
        {
            MatchExpressions = [new V1NodeSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values.Split(',') }],
        };

        Assert.Equal(expected, NodeSelectors.Matches(term, Node));
        Assert.Equal(expected, NodeSelectors.Matches(new V1NodeSelector { NodeSelectorTerms = [term] }, Node));
    }

    [Fact]
    public void Matches_TermsOred_ExpressionsAnded_FieldsOnlyMetadataName_EmptyMatchesNothing()
    {
        var zoneA = new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["a"] };
        var zoneB = new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["b"] };
        var named = new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["n1"] };
        var otherField = new V1NodeSelectorRequirement { Key = "metadata.namespace", OperatorProperty = "In", Values = ["n1"] };

        Assert.True(NodeSelectors.Matches(new V1NodeSelector { NodeSelectorTerms = [new() { MatchExpressions = [zoneB] }, new() { MatchExpressions = [zoneA] }] }, Node));
        Assert.False(NodeSelectors.Matches(new V1NodeSelectorTerm { MatchExpressions = [zoneA, zoneB] }, Node));
        Assert.True(NodeSelectors.Matches(new V1NodeSelectorTerm { MatchExpressions = [zoneA], MatchFields = [named] }, Node));
        Assert.False(NodeSelectors.Matches(new V1NodeSelectorTerm { MatchFields = [otherField] }, Node));
        Assert.False(NodeSelectors.Matches(new V1NodeSelectorTerm(), Node));
        Assert.False(NodeSelectors.Matches(new V1NodeSelector { NodeSelectorTerms = [] }, Node));
    }
}
