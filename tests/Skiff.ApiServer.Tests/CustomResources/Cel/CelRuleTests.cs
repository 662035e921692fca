using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Cel;

/// <summary><c>x-kubernetes-validations</c> rules: messages, reasons, fieldPath, transition rules, the library functions.</summary>
public class CelRuleTests
{
    private static string Run(string specSchema, string spec, string? oldSpec = null)
    {
        var schema = JsonNode.Parse("{\"type\":\"object\",\"properties\":{\"spec\":" + specSchema + "}}")!.AsObject();
        var compiled = CustomResourceSchemaCompiler.Compile(schema);
        var obj = JsonNode.Parse("{\"spec\":" + spec + "}")!.AsObject();
        var old = oldSpec is null ? null : JsonNode.Parse("{\"spec\":" + oldSpec + "}")!.AsObject();
        return string.Join("\n", compiled.Validate(obj, old).Select(e => e.ToString()));
    }

    private const string Replicas = """{"type":"object","properties":{"replicas":{"type":"integer"},"max":{"type":"integer"}},""";

    [Theory]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"self.replicas <= self.max"}]}""", """{"replicas":5,"max":3}""",
        "spec: Invalid value: \"object\": failed rule: self.replicas <= self.max")]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"self.replicas <= self.max"}]}""", """{"replicas":2,"max":3}""", "")]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"self.replicas <= self.max","message":"replicas must not exceed max"}]}""", """{"replicas":5,"max":3}""",
        "spec: Invalid value: \"object\": replicas must not exceed max")]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"self.replicas <= self.max","messageExpression":"'replicas ' + string(self.replicas) + ' > ' + string(self.max)"}]}""", """{"replicas":5,"max":3}""",
        "spec: Invalid value: \"object\": replicas 5 > 3")]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"self.replicas <= self.max","reason":"FieldValueForbidden","fieldPath":".replicas"}]}""", """{"replicas":5,"max":3}""",
        "spec.replicas: Forbidden: failed rule: self.replicas <= self.max")]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"has(self.max)","reason":"FieldValueRequired","message":"max is required"}]}""", """{"replicas":5}""",
        "spec: Required value: max is required")]
    [InlineData(Replicas + """ "x-kubernetes-validations":[{"rule":"self.replicas / self.max > 0"}]}""", """{"replicas":5,"max":0}""",
        "spec: Invalid value: \"object\": division by zero evaluating rule: self.replicas / self.max > 0")]
    [InlineData("""{"type":"array","items":{"type":"string"},"x-kubernetes-validations":[{"rule":"self.all(x, x.size() < 4)"}]}""", """["ab","abcde"]""",
        "spec: Invalid value: \"array\": failed rule: self.all(x, x.size() < 4)")]
    [InlineData("""{"type":"array","items":{"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('a')"}]}}""", """["ab","b"]""",
        "spec[1]: Invalid value: \"string\": failed rule: self.startsWith('a')")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"integer"},"x-kubernetes-validations":[{"rule":"self.all(k, self[k] > 0) && 'a' in self"}]}""", """{"a":1,"b":2}""", "")]
    [InlineData("""{"type":"object","properties":{"my-field":{"type":"string"}},"x-kubernetes-validations":[{"rule":"self.my__dash__field == 'x'"}]}""", """{"my-field":"x"}""", "")]
    [InlineData("""{"type":"string","x-kubernetes-validations":[{"rule":"self.lowerAscii() == 'abc' && self.upperAscii() == 'ABC' && self.indexOf('B') == 1"}]}""", "\"aBc\"", "")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"x-kubernetes-validations":[{"rule":"self.isSorted() && self.sum() == 6 && self.min() == 1 && self.max() == 3 && self.indexOf(2) == 1"}]}""", "[1,2,3]", "")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"x-kubernetes-validations":[{"rule":"self.isSorted()"}]}""", "[3,1]",
        "spec: Invalid value: \"array\": failed rule: self.isSorted()")]
    [InlineData("""{"type":"string","x-kubernetes-validations":[{"rule":"isURL(self) && url(self).getHost() == 'example.com:8080' && url(self).getScheme() == 'https'"}]}""", "\"https://example.com:8080/p\"", "")]
    [InlineData("""{"type":"string","format":"date-time","x-kubernetes-validations":[{"rule":"self > timestamp('2020-01-01T00:00:00Z')"}]}""", "\"2019-01-01T00:00:00Z\"",
        "spec: Invalid value: \"string\": failed rule: self > timestamp('2020-01-01T00:00:00Z')")]
    [InlineData("""{"type":"string","x-kubernetes-validations":[{"rule":"self.split(',').size() == 2 && ['a','b'].join('-') == 'a-b' && self.replace(',', ';') == 'x;y'"}]}""", "\"x,y\"", "")]
    public void Rules_OnCreate(string specSchema, string spec, string expected)
    {
        Assert.Equal(expected, Run(specSchema, spec));
    }

    private const string Immutable = """{"type":"object","properties":{"name":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"name is immutable"}]}}}""";

    [Fact]
    public void TransitionRule_SkippedOnCreate()
    {
        Assert.Equal("", Run(Immutable, """{"name":"a"}"""));
    }

    [Fact]
    public void TransitionRule_RunsOnUpdate()
    {
        Assert.Equal("spec.name: Invalid value: \"string\": name is immutable", Run(Immutable, """{"name":"b"}""", """{"name":"a"}"""));
        Assert.Equal("", Run(Immutable, """{"name":"a"}""", """{"name":"a"}"""));
    }

    [Fact]
    public void TransitionRule_SkippedWhenTheOldValueIsAbsent()
    {
        Assert.Equal("", Run(Immutable, """{"name":"b"}""", "{}"));
    }

    [Fact]
    public void TransitionRule_CorrelatesMapListItemsByKey()
    {
        const string schema = """
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
             "items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}},
               "x-kubernetes-validations":[{"rule":"self.port >= oldSelf.port","message":"port may only grow"}]}}
            """;
        Assert.Equal("spec[0]: Invalid value: \"object\": port may only grow",
            Run(schema, """[{"name":"b","port":1},{"name":"a","port":9}]""", """[{"name":"a","port":5},{"name":"b","port":2}]"""));
        Assert.Equal("", Run(schema, """[{"name":"c","port":1}]""", """[{"name":"a","port":5}]"""));
    }

    [Fact]
    public void TransitionRule_AtomicListItemsDoNotCorrelate()
    {
        const string schema = """{"type":"array","items":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf"}]}}""";
        Assert.Equal("", Run(schema, """["b"]""", """["a"]"""));
    }
}
