using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Schema;

/// <summary>Upstream's messages (kube-openapi as wrapped by apiextensions), one row per rule kind.</summary>
public class OpenApiValueValidatorTests
{
    private static string Validate(string specSchema, string spec)
    {
        var schema = JsonNode.Parse("{\"type\":\"object\",\"properties\":{\"spec\":" + specSchema + "}}")!.AsObject();
        var obj = JsonNode.Parse("{\"apiVersion\":\"example.com/v1\",\"kind\":\"W\",\"metadata\":{\"name\":\"w\"},\"spec\":" + spec + "}")!.AsObject();
        return string.Join("\n", CustomResourceSchemaCompiler.Compile(schema).Validate(obj, null).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("""{"type":"integer"}""", "\"x\"", "spec: Invalid value: \"string\": spec in body must be of type integer: \"string\"")]
    [InlineData("""{"type":"string"}""", "null", "spec: Invalid value: \"null\": spec in body must be of type string: \"null\"")]
    [InlineData("""{"type":"string","nullable":true}""", "null", "")]
    [InlineData("""{"type":"number"}""", "3", "")]
    [InlineData("""{"type":"integer"}""", "3.0", "")]
    [InlineData("""{"type":"integer"}""", "3.5", "spec: Invalid value: \"number\": spec in body must be of type integer: \"number\"")]
    [InlineData("""{"type":"object","properties":{"replicas":{"type":"integer","maximum":10}}}""", """{"replicas":15}""", "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10")]
    [InlineData("""{"type":"integer","minimum":1,"exclusiveMinimum":true}""", "1", "spec: Invalid value: 1: spec in body should be greater than 1")]
    [InlineData("""{"type":"number","maximum":1.5}""", "2.25", "spec: Invalid value: 2.25: spec in body should be less than or equal to 1.5")]
    [InlineData("""{"type":"integer","multipleOf":5}""", "7", "spec: Invalid value: 7: spec in body should be a multiple of 5")]
    [InlineData("""{"type":"string","enum":["a","b"]}""", "\"x\"", "spec: Unsupported value: \"x\": supported values: \"a\", \"b\"")]
    [InlineData("""{"type":"integer","enum":[1,2]}""", "3", "spec: Unsupported value: 3: supported values: \"1\", \"2\"")]
    [InlineData("""{"type":"string","maxLength":3}""", "\"abcd\"", "spec: Too long: may not be more than 3 bytes")]
    [InlineData("""{"type":"string","minLength":3}""", "\"ab\"", "spec: Invalid value: \"ab\": spec in body should be at least 3 chars long")]
    [InlineData("""{"type":"string","pattern":"^a+$"}""", "\"b\"", "spec: Invalid value: \"b\": spec in body should match '^a+$'")]
    [InlineData("""{"type":"string","format":"date-time"}""", "\"yesterday\"", "spec: Invalid value: \"yesterday\": spec in body must be of type date-time: \"yesterday\"")]
    [InlineData("""{"type":"string","format":"date-time"}""", "\"2024-01-02T03:04:05Z\"", "")]
    [InlineData("""{"type":"integer","format":"int32"}""", "3000000000", "<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec")]
    [InlineData("""{"type":"array","items":{"type":"string"},"maxItems":1}""", """["a","b"]""", "spec: Too many: 2: must have at most 1 item")]
    [InlineData("""{"type":"array","items":{"type":"string"},"minItems":3}""", """["a","b"]""", "spec: Invalid value: 2: spec in body should have at least 3 items")]
    [InlineData("""{"type":"array","items":{"type":"string"},"uniqueItems":true}""", """["a","a"]""", "spec: Invalid value: \"\": spec in body shouldn't contain duplicates")]
    [InlineData("""{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}""", """[{"name":"a"},{}]""", "spec[1].name: Required value")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"},"maxProperties":1}""", """{"a":"x","b":"y"}""", "spec: Too many: 2: must have at most 1 item")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"},"minProperties":2}""", """{"a":"x"}""", "spec: Invalid value: 1: spec in body should have at least 2 properties")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"integer"}}""", """{"a":"x"}""", "spec.a: Invalid value: \"string\": spec.a in body must be of type integer: \"string\"")]
    [InlineData("""{"x-kubernetes-int-or-string":true}""", "true", "spec: Invalid value: \"boolean\": spec in body must be of type integer,string: \"boolean\"")]
    [InlineData("""{"x-kubernetes-int-or-string":true}""", "\"50%\"", "")]
    [InlineData("""{"type":"integer","anyOf":[{"minimum":5},{"maximum":1}]}""", "3", "<nil>: Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)\nspec: Invalid value: 3: spec in body should be greater than or equal to 5")]
    [InlineData("""{"type":"integer","oneOf":[{"minimum":1},{"minimum":2}]}""", "3", "<nil>: Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found 2 valid alternatives")]
    [InlineData("""{"type":"integer","allOf":[{"minimum":5}]}""", "3", "spec: Invalid value: 3: spec in body should be greater than or equal to 5\n<nil>: Invalid value: \"\": \"spec\" must validate all the schemas (allOf). None validated")]
    [InlineData("""{"type":"integer","not":{"minimum":5}}""", "7", "<nil>: Invalid value: \"\": \"spec\" must not validate the schema (not)")]
    [InlineData("""{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}""", """["a","b","a"]""", "spec[2]: Duplicate value: \"a\"")]
    [InlineData("""{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"},"v":{"type":"integer"}}}}""",
        """[{"name":"a","v":1},{"name":"a","v":2}]""", "spec[1]: Duplicate value: map[string]interface {}{\"name\":\"a\"}")]
    [InlineData("""{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}""", """{"metadata":{}}""", "spec.apiVersion: Required value: must not be empty\nspec.kind: Required value: must not be empty")]
    public void Validate_GivesUpstreamMessages(string specSchema, string spec, string expected)
    {
        Assert.Equal(expected, Validate(specSchema, spec));
    }

    [Fact]
    public void Validate_NullSchema_AcceptsAnything()
    {
        var obj = JsonNode.Parse("""{"spec":{"x":1}}""")!.AsObject();
        Assert.Empty(CustomResourceSchemaCompiler.Compile(null).Validate(obj, null));
    }
}
