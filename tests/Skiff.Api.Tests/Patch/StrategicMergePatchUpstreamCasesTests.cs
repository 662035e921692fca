using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.Api.Tests.TestSupport;
using Xunit;

namespace Skiff.Api.Tests.Patch;

/// <summary>Cases from upstream strategicpatch/patch_test.go (three-way patch applied to "current"), converted to JSON.</summary>
public class StrategicMergePatchUpstreamCasesTests
{
    private static readonly TestSchema Schema = TestSchema.Object()
        .With("mergingList", TestSchema.MergeList("name", TestSchema.Object()))
        .With("mergingIntList", TestSchema.PrimitiveMergeList())
        .With("retainKeysMap", new TestSchema { PatchStrategies = new[] { "retainKeys" } });

    [Theory]
    [InlineData(
        """{"mergingIntList":[1,2,3]}""",
        """{"$setElementOrder/mergingIntList":[2,1],"$deleteFromPrimitiveList/mergingIntList":[3]}""",
        """{"mergingIntList":[2,1]}""")]
    [InlineData(
        """{"mergingIntList":[1,2,3,4]}""",
        """{"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3]}""",
        """{"mergingIntList":[1,2,4]}""")]
    [InlineData(
        """{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]}""",
        """{"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":1}],"mergingList":[{"name":4,"value":4},{"name":3,"$patch":"delete"}]}""",
        """{"mergingList":[{"name":4,"value":4},{"name":2,"value":2,"other":"b"},{"name":1,"other":"a"}]}""")]
    [InlineData(
        """{"mergingList":[{"name":1},{"name":3,"value":3},{"name":4,"value":4},{"name":2,"value":2}]}""",
        """{"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":3},{"name":1}]}""",
        """{"mergingList":[{"name":4,"value":4},{"name":2,"value":2},{"name":3,"value":3},{"name":1}]}""")]
    [InlineData(
        """{"retainKeysMap":{"value":"foo"}}""",
        """{"retainKeysMap":{"$retainKeys":["other"],"other":"bar"}}""",
        """{"retainKeysMap":{"other":"bar"}}""")]
    [InlineData(
        """{"retainKeysMap":{"name":"foo","value":"bar"}}""",
        """{"retainKeysMap":{"$retainKeys":["name"],"value":null}}""",
        """{"retainKeysMap":{"name":"foo"}}""")]
    [InlineData(
        """{"mergingIntList":[1,2,3]}""",
        """{"$deleteFromPrimitiveList/mergingIntList":[5]}""",
        """{"mergingIntList":[1,2,3]}""")]
    [InlineData(
        """{}""",
        """{"$deleteFromPrimitiveList/mergingIntList":[1]}""",
        """{}""")]
    public void Apply_UpstreamCase(string current, string patch, string expected)
    {
        var result = StrategicMergePatch.Apply(JsonNode.Parse(current)!.AsObject(), patch, Schema);
        Assert.Equal(expected, result.ToJsonString());
    }

    [Fact]
    public void SetElementOrder_MismatchWithPatchList_Error()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(
            JsonNode.Parse("""{"mergingList":[{"name":"a"},{"name":"b"}]}""")!.AsObject(),
            """{"$setElementOrder/mergingList":[{"name":"a"},{"name":"b"}],"mergingList":[{"name":"b","v":1},{"name":"a","v":2}]}""",
            Schema));
        Assert.StartsWith("The order in patch list:\n[map[name:b v:1] map[name:a v:2]]\n doesn't match $setElementOrder list:\n", e.Message);
    }
}
