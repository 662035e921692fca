using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Xunit;

namespace Skiff.Api.Tests.Patch;

public class JsonMergePatchTests
{
    // RFC 7386 appendix A examples.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Apply_Rfc7386Examples(string doc, string patch, string expected) =>
        Assert.Equal(expected, JsonMergePatch.Apply(JsonNode.Parse(doc), patch)!.ToJsonString());

    [Fact]
    public void Apply_NullPatch_BadRequest()
    {
        var e = Assert.Throws<PatchException>(() => JsonMergePatch.Apply(JsonNode.Parse("{}"), "null"));
        Assert.Equal("Invalid JSON Patch", e.Message);
        Assert.False(e.Unprocessable);
    }
}
