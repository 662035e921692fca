using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Xunit;

namespace Skiff.Api.Tests.Patch;

public class JsonPatchTests
{
    private static string Apply(string doc, string patch) => JsonPatch.Apply(JsonNode.Parse(doc)!, patch).ToJsonString();

    [Theory]
    [InlineData("""{"a":1}""", """[{"op":"add","path":"/b","value":2}]""", """{"a":1,"b":2}""")]
    [InlineData("""{"a":[1,2]}""", """[{"op":"add","path":"/a/1","value":9}]""", """{"a":[1,9,2]}""")]
    [InlineData("""{"a":[1,2]}""", """[{"op":"add","path":"/a/-","value":3}]""", """{"a":[1,2,3]}""")]
    [InlineData("""{"a":[1,2]}""", """[{"op":"add","path":"/a/2","value":3}]""", """{"a":[1,2,3]}""")]
    [InlineData("""{"a":1,"b":2}""", """[{"op":"remove","path":"/a"}]""", """{"b":2}""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/-1"}]""", """{"a":[1,2]}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"/a","value":{"x":null}}]""", """{"a":{"x":null}}""")]
    [InlineData("""{"a":{"b":1},"c":{}}""", """[{"op":"move","from":"/a/b","path":"/c/d"}]""", """{"a":{},"c":{"d":1}}""")]
    [InlineData("""{"a":{"b":[1]}}""", """[{"op":"copy","from":"/a/b","path":"/c"}]""", """{"a":{"b":[1]},"c":[1]}""")]
    [InlineData("""{"a/b":1,"m~n":2}""", """[{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}]""", """{"a/b":3}""")]
    [InlineData("""{"a":1.0,"b":"x"}""", """[{"op":"test","path":"/a","value":1},{"op":"test","path":"/b","value":"x"},{"op":"test","path":"/c","value":null}]""", """{"a":1.0,"b":"x"}""")]
    [InlineData("""{"metadata":{"labels":{"app":"a"}}}""", """[{"op":"add","path":"/metadata/labels/tier","value":"web"}]""", """{"metadata":{"labels":{"app":"a","tier":"web"}}}""")]
    public void Apply_Operations(string doc, string patch, string expected) => Assert.Equal(expected, Apply(doc, patch));

    [Theory]
    [InlineData("""{"a":1}""", """[{"op":"add","path":"/x/y","value":2}]""", "add operation does not apply: doc is missing path: \"/x/y\": missing value")]
    [InlineData("""{"a":1}""", """[{"op":"remove","path":"/b"}]""", "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value")]
    [InlineData("""{"a":[1]}""", """[{"op":"replace","path":"/a/1","value":1}]""", "replace operation does not apply: doc is missing key: /a/1: missing value")]
    [InlineData("""{"a":1}""", """[{"op":"test","path":"/a","value":2}]""", "testing value /a failed: test failed")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/5","value":2}]""", "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced")]
    [InlineData("""{"a":1}""", """[{"op":"frob","path":"/a"}]""", "Unexpected kind: frob")]
    public void Apply_Failures_Unprocessable(string doc, string patch, string message)
    {
        var e = Assert.Throws<PatchException>(() => Apply(doc, patch));
        Assert.Equal(message, e.Message);
        Assert.True(e.Unprocessable);
        Assert.Equal(422, e.ToStatusException().Code);
        Assert.Equal("the server rejected our request due to an error in our request", e.ToStatusException().Message);
    }

    [Fact]
    public void Decode_Object_BadRequest()
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Decode("""{"op":"add"}"""));
        Assert.Equal("json: cannot unmarshal object into Go value of type jsonpatch.Patch", e.Message);
        Assert.Equal(400, e.ToStatusException().Code);
    }

    [Fact]
    public void Apply_DoesNotModifyInput()
    {
        var doc = JsonNode.Parse("""{"a":1}""")!;
        JsonPatch.Apply(doc, """[{"op":"remove","path":"/a"}]""");
        Assert.Equal("""{"a":1}""", doc.ToJsonString());
    }
}
