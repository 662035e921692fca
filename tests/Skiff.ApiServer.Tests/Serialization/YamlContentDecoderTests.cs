using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Tests.BadInput;
using Xunit;

namespace Skiff.ApiServer.Tests.Serialization;

public sealed class YamlContentDecoderTests
{
    private static JsonNode? Decode(string yaml) => YamlContentDecoder.Instance.Decode(Encoding.UTF8.GetBytes(yaml));

    private static StatusException Fails(string yaml) => Assert.Throws<StatusException>(() => Decode(yaml));

    [Fact]
    public void Decode_Scalars_ResolvedAsSigsYaml()
    {
        var obj = Decode("a: 1\nb: true\nc: ~\nd: \"1\"\ne: 1.5\nf: !!str 2\ng: 0x1F\nh: text\ni: |\n  block\n")!;

        Assert.Equal("""{"a":1,"b":true,"c":null,"d":"1","e":1.5,"f":"2","g":31,"h":"text","i":"block\n"}""", obj.ToJsonString());
    }

    [Fact]
    public void Decode_AnchorsAndAliases_Expanded()
    {
        var obj = Decode("x: &x {a: [1, 2]}\ny: *x\nz: &s str\nw: [*s, *s]\n")!;

        Assert.Equal("""{"x":{"a":[1,2]},"y":{"a":[1,2]},"z":"str","w":["str","str"]}""", obj.ToJsonString());
    }

    [Fact]
    public void Decode_SeveralDocuments_FirstOnlyDuplicateKeysLastWins()
    {
        Assert.Equal("""{"a":2}""", Decode("a: 1\na: 2\n---\nb: [\n")!.ToJsonString());
        Assert.Null(Decode(""));
        Assert.Null(Decode("---\n...\n"));
    }

    [Fact]
    public void Decode_BillionLaughs_400ExcessiveAliasingQuickly()
    {
        var e = Fails(BadInputCorpus.BillionLaughs("apiVersion: v1\nkind: ConfigMap\n"));

        Assert.Equal(400, e.Code);
        Assert.Contains("document contains excessive aliasing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_AliasesWithinTheBudget_Accepted()
    {
        // 500 aliases of a 10-node list: 5,000 nodes from about 520 parsed, under the 10,000-node floor.
        var yaml = "x: &x [" + string.Join(",", Enumerable.Range(0, 9)) + "]\ny: [" + string.Join(",", Enumerable.Repeat("*x", 500)) + "]\n";

        Assert.Equal(500, Decode(yaml)!["y"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(YamlJsonReader.MaxDepth, false)]
    [InlineData(YamlJsonReader.MaxDepth + 1, true)]
    [InlineData(5000, true)]
    [InlineData(1_000_000, true)]
    public void Decode_Nesting_RefusedPastTheLimit(int depth, bool refused)
    {
        // The root mapping is one level: the flow sequences add depth - 1.
        var yaml = "a: " + new string('[', depth - 1) + new string(']', depth - 1) + "\n";

        if (refused)
        {
            var e = Fails(yaml);
            Assert.Equal(400, e.Code);
            Assert.Contains("exceeded max depth of 64", e.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.NotNull(Decode(yaml));
        }
    }

    [Fact]
    public void Decode_DepthThroughAliases_Counted()
    {
        var yaml = "x: &x " + new string('[', 40) + new string(']', 40) + "\ny: " + new string('[', 30) + "*x" + new string(']', 30) + "\n";

        Assert.Contains("exceeded max depth", Fails(yaml).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_AliasedStringsPastTheSizeLimit_413()
    {
        var yaml = "x: &x \"" + new string('a', 200_000) + "\"\ny: [" + string.Join(",", Enumerable.Repeat("*x", 40)) + "]\n";

        Assert.Equal(413, Fails(yaml).Code);
    }

    [Theory]
    [InlineData("a: *nope\n", "unknown anchor 'nope' referenced")]
    [InlineData("a: &a [*a]\n", "anchor 'a' value contains itself")]
    [InlineData("? [a, b]\n: c\n", "mapping keys must be scalars")]
    [InlineData("x: &x {a: b}\ny: {*x : c}\n", "mapping keys must be scalars")]
    [InlineData("a: \"\\ud800\"\n", "yaml: ")]
    [InlineData("a: [1, 2\n", "yaml: line")]
    [InlineData("a:\n\tb: c\n", "yaml: line")]
    [InlineData("m:\n  l: x\nk: v\nmetadata:\n  annotations: {: {a: b}\ndata:\n  k: v\n", "yaml: ")]
    public void Decode_Malformed_400(string yaml, string message)
    {
        var e = Fails(yaml);

        Assert.Equal(400, e.Code);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("error converting YAML to JSON: yaml: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8_400()
    {
        var e = Assert.Throws<StatusException>(() => YamlContentDecoder.Instance.Decode(new byte[] { 0x61, 0x3A, 0x20, 0xFF, 0x0A }));

        Assert.Equal(400, e.Code);
        Assert.Contains("invalid leading UTF-8 octet", e.Message, StringComparison.Ordinal);
    }
}
