using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Xunit;

namespace Skiff.Api.Tests.Patch;

/// <summary>
/// The behaviour of evanphx/json-patch v4.12.0 (gopkg.in/evanphx/json-patch.v4, what the API server applies JSON
/// patches with), case by case from its patch.go and the Cases/BadCases tables of its patch_test.go: replace of a
/// missing object member sets it, insert positions count from the grown array, test of a missing member equals null.
/// </summary>
public class JsonPatchV4CasesTests
{
    private static string Apply(string doc, string patch) => JsonPatch.Apply(JsonNode.Parse(doc)!, patch).ToJsonString();

    [Theory]
    // replace: an object member that is missing is set (partialDoc.get never fails); the cordon patch of the .NET client.
    [InlineData("""{"spec":{}}""", """[{"op":"replace","path":"/spec/unschedulable","value":true}]""", """{"spec":{"unschedulable":true}}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"/b","value":2}]""", """{"a":1,"b":2}""")]
    [InlineData("""{"bar":[{"baz":null}]}""", """[{"op":"replace","path":"/bar/0/baz","value":1}]""", """{"bar":[{"baz":1}]}""")]
    [InlineData("""{"bar":[1]}""", """[{"op":"replace","path":"/bar/0","value":null}]""", """{"bar":[null]}""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"replace","path":"/foo/-1","value":"q"}]""", """{"foo":["bar","q"]}""")]
    // replace of the root: an object or array value replaces the document; a scalar changes nothing.
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"","value":{"b":2}}]""", """{"b":2}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"","value":3}]""", """{"a":1}""")]
    // add with a negative index counts from the array grown by one: -1 appends, -(n+1) prepends.
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/-1","value":"qux"}]""", """{"foo":["bar","baz","qux"]}""")]
    [InlineData("""{"foo":[]}""", """[{"op":"add","path":"/foo/-1","value":"qux"}]""", """{"foo":["qux"]}""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-2","value":"qux"}]""", """{"foo":["qux","bar"]}""")]
    // remove with a negative index counts from the array as it is.
    [InlineData("""{"foo":["bar","qux","baz"]}""", """[{"op":"remove","path":"/foo/-2"}]""", """{"foo":["bar","baz"]}""")]
    // test: a missing member equals null; a null member equals null; the root compares the whole document.
    [InlineData("""{"baz":"qux"}""", """[{"op":"test","path":"/foo","value":null}]""", """{"baz":"qux"}""")]
    [InlineData("""{"foo":null}""", """[{"op":"test","path":"/foo","value":null}]""", """{"foo":null}""")]
    [InlineData("""{"baz/foo":"qux"}""", """[{"op":"test","path":"/baz~1foo","value":"qux"}]""", """{"baz/foo":"qux"}""")]
    [InlineData("""{"a":[1]}""", """[{"op":"test","path":"","value":{"a":[1]}}]""", """{"a":[1]}""")]
    // copy from a missing member adds null (the missing value is a nil node, marshalled as null).
    [InlineData("""{"a":{}}""", """[{"op":"copy","from":"/a/x","path":"/b"}]""", """{"a":{},"b":null}""")]
    public void Applies_AsV4(string doc, string patch, string expected) => Assert.Equal(expected, Apply(doc, patch));

    [Theory]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz/bat","value":"qux"}]""")]
    [InlineData("""{"a":{"b":{"d":1}}}""", """[{"op":"remove","path":"/a/b/c"}]""")]
    [InlineData("""{"a":{"b":{"d":1}}}""", """[{"op":"move","from":"/a/b/c","path":"/a/b/e"}]""")]
    [InlineData("""{"a":{"b":[1]}}""", """[{"op":"remove","path":"/a/b/1"}]""")]
    [InlineData("""{"a":{"b":[1]}}""", """[{"op":"move","from":"/a/b/1","path":"/a/b/2"}]""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","pathz":"/baz","value":"qux"}]""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"","value":"qux"}]""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"replace","path":"/foo/2","value":"bum"}]""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/-4","value":"bum"}]""")]
    [InlineData("""{"name":{"foo":"bat","qux":"bum"}}""", """[{"op":"replace","path":"/foo/bar","value":"baz"}]""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/2","value":"bum"}]""")]
    [InlineData("""{"foo":[]}""", """[{"op":"remove","path":"/foo/-"}]""")]
    [InlineData("""{"foo":[]}""", """[{"op":"remove","path":"/foo/-1"}]""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"remove","path":"/foo/-2"}]""")]
    [InlineData("""{}""", """[{"op":null,"path":""}]""")]
    [InlineData("""{}""", """[{"op":"add","path":null}]""")]
    [InlineData("""{"baz":"qux"}""", """[{"op":"test","path":"/foo","value":42}]""")]
    [InlineData("""{"foo":{}}""", """[{"op":"test","path":"/foo","value":null}]""")]
    [InlineData("""{"foo":[]}""", """[{"op":"test","path":"/foo","value":null}]""")]
    [InlineData("""{"foo":[]}""", """[{"op":"test","path":"/foo"}]""")]
    [InlineData("""{"foo":[1]}""", """[{"op":"test","path":"/foo/3","value":1}]""")]
    [InlineData("""{"a":1}""", """[{"op":"test","path":"","value":{"a":2}}]""")]
    public void Fails_AsV4_With422(string doc, string patch)
    {
        var e = Assert.Throws<PatchException>(() => Apply(doc, patch));
        Assert.True(e.Unprocessable, e.Message);
        Assert.Equal(422, e.ToStatusException().Code);
    }

    [Theory]
    [InlineData("-2", "Unable to access invalid index: -2: invalid index referenced")]
    [InlineData("1", "Unable to access invalid index: 1: invalid index referenced")]
    public void Add_IntoEmptyArray_OutOfRange_KeepsV4Text(string index, string text)
    {
        var e = Assert.Throws<PatchException>(() => Apply("""{"a":[]}""", $$"""[{"op":"add","path":"/a/{{index}}","value":1}]"""));
        Assert.EndsWith(text, e.Message, StringComparison.Ordinal);
    }
}
