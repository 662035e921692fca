using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.Api.Tests.TestSupport;
using Xunit;

namespace Skiff.Api.Tests.Patch;

public class StrategicMergePatchTests
{
    private static string Apply(string original, string patch, IPatchSchema? schema) =>
        StrategicMergePatch.Apply(JsonNode.Parse(original)!.AsObject(), patch, schema).ToJsonString();

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    [Fact]
    public void Containers_MergedByName()
    {
        var result = Apply(
            """{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}""",
            """{"spec":{"containers":[{"name":"b","image":"b:2"},{"name":"c","image":"c:1"}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"},{"name":"c","image":"c:1"}]}}""", result);
    }

    [Fact]
    public void Container_DeleteDirective_RemovesIt()
    {
        var result = Apply(
            """{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}""",
            """{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"b","image":"b:1"}]}}""", result);
    }

    [Fact]
    public void List_ReplaceDirective_ReplacesWholeList()
    {
        var result = Apply(
            """{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}""",
            """{"spec":{"containers":[{"name":"c","image":"c:1"},{"$patch":"replace"}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"c","image":"c:1"}]}}""", result);
    }

    [Fact]
    public void Map_ReplaceDirective_ReplacesMap()
    {
        var result = Apply(
            """{"metadata":{"labels":{"a":"1","b":"2"}}}""",
            """{"metadata":{"labels":{"c":"3","$patch":"replace"}}}""",
            TestSchema.Pod());
        Assert.Equal("""{"metadata":{"labels":{"c":"3"}}}""", result);
    }

    [Fact]
    public void Map_DeleteDirective_EmptiesMap()
    {
        var result = Apply("""{"metadata":{"labels":{"a":"1"}}}""", """{"metadata":{"labels":{"$patch":"delete"}}}""", TestSchema.Pod());
        Assert.Equal("""{"metadata":{"labels":{}}}""", result);
    }

    [Fact]
    public void Env_MergedInsideContainer_NullDeletesField()
    {
        var result = Apply(
            """{"spec":{"containers":[{"name":"a","image":"a:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"args":["x","y"]}]}}""",
            """{"spec":{"containers":[{"name":"a","image":null,"env":[{"name":"Y","value":"3"},{"name":"Z","value":"4"}],"args":["z"]}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"3"},{"name":"Z","value":"4"}],"args":["z"]}]}}""", result);
    }

    [Fact]
    public void RetainKeys_OnVolumeSource_DropsOtherKeys()
    {
        var result = Apply(
            """{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/a"},"emptyDir":{}}]}}""",
            """{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"},"$retainKeys":["configMap","name"]}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}}]}}""", result);
    }

    [Fact]
    public void RetainKeys_PatchKeyNotRetained_BadRequest()
    {
        var e = Assert.Throws<PatchException>(() => Apply(
            """{"spec":{"volumes":[{"name":"v"}]}}""",
            """{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"},"$retainKeys":["name"]}]}}""",
            TestSchema.Pod()));
        Assert.Equal("invalid patch format of retainKeys", e.Message);
        Assert.Equal(400, e.ToStatusException().Code);
    }

    [Fact]
    public void PrimitiveList_MergeStrategy_Union()
    {
        var result = Apply("""{"metadata":{"finalizers":["a","b"]}}""", """{"metadata":{"finalizers":["c","a"]}}""", TestSchema.Pod());
        Assert.Equal("""{"metadata":{"finalizers":["c","a","b"]}}""", result);
    }

    [Fact]
    public void DeleteFromPrimitiveList_RemovesValues()
    {
        var result = Apply(
            """{"metadata":{"finalizers":["a","b","c"]}}""",
            """{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"metadata":{"finalizers":["a","c"]}}""", result);
    }

    [Fact]
    public void SetElementOrder_ReordersMergedList()
    {
        var result = Apply(
            """{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"},{"name":"c","image":"c"}]}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}],"containers":[{"name":"a","image":"a2"}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"c","image":"c"},{"name":"a","image":"a2"},{"name":"b","image":"b"}]}}""", result);
    }

    [Fact]
    public void SetElementOrder_PrimitiveList()
    {
        var result = Apply(
            """{"metadata":{"finalizers":["a","b","c"]}}""",
            """{"metadata":{"$setElementOrder/finalizers":["c","b","a"]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"metadata":{"finalizers":["c","b","a"]}}""", result);
    }

    [Fact]
    public void UnknownSchema_MapsMerge_ListsReplaced()
    {
        var result = Apply(
            """{"a":{"x":1,"y":[1,2]},"b":[{"name":"n"}]}""",
            """{"a":{"z":2,"y":[3]},"b":[{"name":"m"}]}""",
            null);
        AssertJson("""{"a":{"x":1,"y":[3],"z":2},"b":[{"name":"m"}]}""", result);
    }

    [Fact]
    public void AtomicList_Replaced()
    {
        var result = Apply("""{"spec":{"tolerations":[{"key":"a"}]}}""", """{"spec":{"tolerations":[{"key":"b"}]}}""", TestSchema.Pod());
        Assert.Equal("""{"spec":{"tolerations":[{"key":"b"}]}}""", result);
    }

    [Fact]
    public void NewListItemsAndMaps_DirectivesAndNullsStripped()
    {
        var result = Apply("""{}""", """{"spec":{"containers":[{"name":"a","image":null},{"name":"b","$patch":"delete"}]},"x":{"y":null}}""", TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"a"}]},"x":{}}""", result);
    }

    [Fact]
    public void MergeList_ItemWithoutMergeKey_Error()
    {
        var e = Assert.Throws<PatchException>(() => Apply(
            """{"spec":{"containers":[{"name":"a"}]}}""",
            """{"spec":{"containers":[{"image":"x"}]}}""",
            TestSchema.Pod()));
        Assert.Equal("map: map[image:x] does not contain declared merge key: name", e.Message);
    }

    [Fact]
    public void ListOfLists_Unprocessable()
    {
        var e = Assert.Throws<PatchException>(() => Apply("""{"metadata":{"finalizers":[["a"]]}}""", """{"metadata":{"finalizers":[["b"]]}}""", TestSchema.Pod()));
        Assert.Equal("lists of lists are not supported", e.Message);
        Assert.True(e.Unprocessable);
    }

    [Fact]
    public void UnknownMapDirective_Error()
    {
        var e = Assert.Throws<PatchException>(() => Apply("""{"a":{}}""", """{"a":{"$patch":"frob"}}""", null));
        Assert.Equal("unknown patch type: frob in map: map[$patch:frob]", e.Message);
    }

    [Fact]
    public void ContainerPorts_NewItemNotInServerOrder_GoesFirstLikeUpstream()
    {
        var result = Apply(
            """{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80},{"containerPort":443}]}]}}""",
            """{"spec":{"containers":[{"name":"a","ports":[{"containerPort":8080}]}]}}""",
            TestSchema.Pod());
        Assert.Equal("""{"spec":{"containers":[{"name":"a","ports":[{"containerPort":8080},{"containerPort":80},{"containerPort":443}]}]}}""", result);
    }

    [Fact]
    public void Apply_DoesNotModifyInputs()
    {
        var original = JsonNode.Parse("""{"metadata":{"labels":{"a":"1"}}}""")!.AsObject();
        var patch = JsonNode.Parse("""{"metadata":{"labels":{"a":null,"b":"2"}}}""")!.AsObject();
        var result = StrategicMergePatch.Apply(original, patch, TestSchema.Pod());
        Assert.Equal("""{"metadata":{"labels":{"b":"2"}}}""", result.ToJsonString());
        Assert.Equal("""{"metadata":{"labels":{"a":"1"}}}""", original.ToJsonString());
        Assert.Equal("""{"metadata":{"labels":{"a":null,"b":"2"}}}""", patch.ToJsonString());
    }
}
