using System.Text.Json.Nodes;
using Skiff.Api.Apply;
using Xunit;

namespace Skiff.Api.Tests.Apply;

public class FieldSetTests
{
    private static FieldSet Parse(string json) => FieldSet.FromFieldsV1(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void RemoveSubtree_RemovesThePathAndTheParentsItLeftEmpty()
    {
        var set = Parse("""{"f:metadata":{"f:name":{}},"f:data":{"f:a":{}}}""");

        set.RemoveSubtree(["f:metadata", "f:name"]);

        Assert.Equal("""{"f:data":{"f:a":{}}}""", set.ToFieldsV1().ToJsonString());
        Assert.False(set.Children.ContainsKey("f:metadata"));
    }

    [Fact]
    public void RemoveSubtree_KeepsSiblingsAndAnIntermediateMember()
    {
        var set = Parse("""{"f:metadata":{".":{},"f:name":{},"f:labels":{"f:app":{}}}}""");

        set.RemoveSubtree(["f:metadata", "f:name"]);

        Assert.Equal("""{"f:metadata":{".":{},"f:labels":{"f:app":{}}}}""", set.ToFieldsV1().ToJsonString());
        Assert.True(set.Has(["f:metadata"]));
        Assert.True(set.Has(["f:metadata", "f:labels", "f:app"]));
    }

    [Fact]
    public void RemoveSubtree_OfAbsentPath_PrunesEmptyChildrenOnTheWay()
    {
        var set = Parse("""{"f:spec":{"f:x":{}}}""");
        set.Child("f:status").Child("f:phase"); // an empty branch (no member under it)

        set.RemoveSubtree(["f:kind"]);

        Assert.Equal(["f:spec"], set.Children.Keys);
        Assert.False(set.IsEmpty);
    }

    [Fact]
    public void RemoveSubtree_OfEmptyPath_ClearsEverything()
    {
        var set = Parse("""{"f:a":{},"f:b":{"f:c":{}}}""");

        set.RemoveSubtree([]);

        Assert.True(set.IsEmpty);
        Assert.Empty(set.Children);
    }
}
