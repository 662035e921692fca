using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Schema;

/// <summary>Pruning and defaulting as upstream's structural pruning and defaulting algorithms.</summary>
public class PruneAndDefaultTests
{
    private static JsonObject Prune(string schema, string obj)
    {
        var o = JsonNode.Parse(obj)!.AsObject();
        CustomResourceSchemaCompiler.Compile(JsonNode.Parse(schema)!.AsObject()).Prune(o);
        return o;
    }

    private static JsonObject Default(string schema, string obj)
    {
        var o = JsonNode.Parse(obj)!.AsObject();
        CustomResourceSchemaCompiler.Compile(JsonNode.Parse(schema)!.AsObject()).Default(o);
        return o;
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}""",
        """{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n","bogus":1,"labels":{"a":"b"}},"spec":{"a":"x","b":"y"},"status":{}}""",
        """{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n","labels":{"a":"b"}},"spec":{"a":"x"}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"n":{"type":"object","properties":{"a":{"type":"string"}}}}}}}""",
        """{"spec":{"free":{"x":1},"n":{"a":"x","b":"y"}}}""",
        """{"spec":{"free":{"x":1},"n":{"a":"x"}}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}}}}""",
        """{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","junk":true},"spec":{"x":1},"other":2}}}""",
        """{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","additionalProperties":{"type":"object","properties":{"a":{"type":"string"}}}}}}""",
        """{"spec":{"k1":{"a":"x","z":1},"k2":{}}}""",
        """{"spec":{"k1":{"a":"x"},"k2":{}}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","properties":{"a":{"type":"integer"}}}}}}}}""",
        """{"spec":{"l":[{"a":1,"b":2},{"c":3}]}}""",
        """{"spec":{"l":[{"a":1},{}]}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true},"s":{"type":"string"},"n":{"type":"string","nullable":true}}}}}""",
        """{"spec":{"p":"50%","s":null,"n":null}}""",
        """{"spec":{"p":"50%","n":null}}""")]
    public void Prune_RemovesWhatTheSchemaDoesNotSpecify(string schema, string obj, string expected)
    {
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), Prune(schema, obj).ToJsonString());
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","default":1},"s":{"type":"string","default":"x"}}}}}""",
        """{"spec":{"s":"given"}}""", """{"spec":{"s":"given","r":1}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{"r":{"type":"integer","default":3}}}}}""",
        """{}""", """{"spec":{"r":3}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","properties":{"p":{"type":"string","default":"TCP"}}}}}}}}""",
        """{"spec":{"l":[{},{"p":"UDP"}]}}""", """{"spec":{"l":[{"p":"TCP"},{"p":"UDP"}]}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","additionalProperties":{"type":"object","properties":{"w":{"type":"integer","default":5}}}}}}""",
        """{"spec":{"a":{},"b":{"w":1}}}""", """{"spec":{"a":{"w":5},"b":{"w":1}}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","default":1},"n":{"type":"integer","nullable":true,"default":2}}}}}""",
        """{"spec":{"r":null,"n":null}}""", """{"spec":{"r":1,"n":null}}""")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"string","default":"d"}}}}}}""",
        """{"spec":{"l":["a",null]}}""", """{"spec":{"l":["a","d"]}}""")]
    public void Default_AppliesDefaultsAsUpstream(string schema, string obj, string expected)
    {
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), Default(schema, obj).ToJsonString());
    }

    [Fact]
    public void Default_IsACopy_NotShared()
    {
        var compiled = CustomResourceSchemaCompiler.Compile(JsonNode.Parse("""{"type":"object","properties":{"spec":{"type":"object","default":{"a":"x"},"properties":{"a":{"type":"string"}}}}}""")!.AsObject());
        var first = new JsonObject();
        compiled.Default(first);
        first["spec"]!["a"] = "changed";
        var second = new JsonObject();
        compiled.Default(second);
        Assert.Equal("x", (string?)second["spec"]!["a"]);
    }
}
