using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources.Schema;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Schema;

/// <summary>The checks of a CRD's own schema, with upstream's messages (apiextensions validation.go and structural validation).</summary>
public class CrdSchemaValidationTests
{
    private const string P = "spec.versions[0].schema.openAPIV3Schema";

    private static string Check(string schema)
    {
        var crd = JsonNode.Parse("{\"spec\":{\"versions\":[{\"name\":\"v1\",\"schema\":{\"openAPIV3Schema\":" + schema + "}}]}}")!.AsObject();
        return string.Join("\n", CrdSchemaValidation.Validate(crd).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}""", "")]
    [InlineData("""{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}""", P + ".properties[spec].type: Required value: must not be empty for specified object fields")]
    [InlineData("""{"properties":{"spec":{"type":"object"}}}""", P + ".type: Required value: must not be empty at the root")]
    [InlineData("""{"type":"string"}""", P + ".type: Invalid value: \"string\": must be object at the root")]
    [InlineData("""{"type":"object","properties":{"l":{"type":"array","items":{}}}}""", P + ".properties[l].items.type: Required value: must not be empty for specified array items")]
    [InlineData("""{"type":"object","properties":{"l":{"type":"array"}}}""", P + ".properties[l].items: Required value: must be specified")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}""", "")]
    [InlineData("""{"type":"object","properties":{"spec":{"x-kubernetes-preserve-unknown-fields":true}}}""", "")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":false}}}""",
        P + ".properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined")]
    [InlineData("""{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"x-kubernetes-preserve-unknown-fields":true}}}""",
        P + ".properties[p].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true")]
    [InlineData("""{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}}}""", "")]
    [InlineData("""{"type":"object","properties":{"p":{"type":"string","anyOf":[{"type":"string","maxLength":3}]}}}""",
        P + ".properties[p].anyOf[0].type: Forbidden: must be empty to be structural")]
    [InlineData("""{"type":"object","properties":{"p":{"type":"string","oneOf":[{"default":"x","nullable":true}]}}}""",
        P + ".properties[p].oneOf[0].default: Forbidden: must be undefined to be structural\n" + P + ".properties[p].oneOf[0].nullable: Forbidden: must be false to be structural")]
    [InlineData("""{"type":"object","anyOf":[{"properties":{"x":{"minLength":1}}}]}""",
        P + ".properties[x]: Required value: because it is defined in " + P + ".anyOf[0].properties[x]")]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":10}}}}}""", "")]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}""",
        P + ".properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified")]
    [InlineData("""{"type":"object","properties":{"kind":{"type":"integer"}}}""", P + ".properties[kind].type: Invalid value: \"integer\": must be string")]
    [InlineData("""{"type":"object","properties":{"t":{"type":"string","x-kubernetes-embedded-resource":true}}}""",
        P + ".properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields\n" +
        P + ".properties[t].type: Invalid value: \"string\": must be object if x-kubernetes-embedded-resource is true")]
    [InlineData("""{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true}}}""",
        P + ".properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", P + ".additionalProperties: Forbidden: must not be used at the root")]
    [InlineData("""{"type":"object","properties":{"m":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}}}""",
        P + ".properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"foo"}}}""",
        P + ".properties[x].type: Unsupported value: \"foo\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","items":{"type":"string"},"uniqueItems":true}}}""",
        P + ".properties[x].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic")]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"#/definitions/y"}}}""",
        P + ".properties[x].$ref: Forbidden: $ref is not supported\n" + P + ".properties[x].type: Required value: must not be empty for specified object fields")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"string","x-kubernetes-list-type":"set"}}}""",
        P + ".properties[x].type: Invalid value: \"string\": must be array if x-kubernetes-list-type is specified")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"bag"}}}""",
        P + ".properties[x].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\"")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"map"}}}""",
        P + ".properties[x].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map\n" + P + ".properties[x].items.type: Invalid value: \"string\": must be object if parent array's x-kubernetes-list-type is map")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"}}}}}}""",
        P + ".properties[x].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["id"],"items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}}}}""",
        P + ".properties[x].x-kubernetes-list-map-keys: Invalid value: []string{\"id\"}: entries must all be names of item properties")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"string","x-kubernetes-map-type":"atomic"}}}""",
        P + ".properties[x].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified")]
    [InlineData("""{"type":"object","properties":{"r":{"type":"integer","default":"three"}}}""",
        P + ".properties[r].default: Invalid value: \"string\":  in body must be of type integer: \"string\"")]
    [InlineData("""{"type":"object","properties":{"s":{"type":"object","default":{"a":"x","junk":1},"properties":{"a":{"type":"string"}}}}}""",
        P + ".properties[s].default: Invalid value: map[string]interface {}{\"a\":\"x\", \"junk\":1}: must not have unknown fields")]
    [InlineData("""{"type":"object","properties":{"s":{"type":"integer","maximum":5,"default":7}}}""",
        P + ".properties[s].default: Invalid value: 7:  in body should be less than or equal to 5")]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","default":{}}}}""",
        P + ".properties[metadata].default: Forbidden: must not be set in top-level metadata")]
    [InlineData("""{"type":"object","nullable":true}""", "spec.versions[0].schema.openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root")]
    [InlineData("""{"type":"object","x-kubernetes-validations":[{"rule":""}]}""", P + ".x-kubernetes-validations[0].rule: Required value: rule is not specified")]
    [InlineData("""{"type":"object","x-kubernetes-validations":[{"rule":"self.a ==","message":"m"}]}""", "compilation failed")]
    [InlineData("""{"type":"object","x-kubernetes-validations":[{"rule":"true","reason":"Nope"}]}""",
        P + ".x-kubernetes-validations[0].reason: Unsupported value: \"Nope\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"")]
    [InlineData("""{"type":"object","x-kubernetes-validations":[{"rule":"true","message":"a\nb"}]}""",
        P + ".x-kubernetes-validations[0].message: Invalid value: \"a\\nb\": message must not contain line breaks")]
    public void Validate_GivesUpstreamMessages(string schema, string expected)
    {
        var actual = Check(schema);
        if (expected == "compilation failed")
        {
            Assert.StartsWith(P + ".x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:\"self.a ==\"", actual);
            Assert.Contains(": compilation failed: ERROR: <input>", actual);
            return;
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Validate_VersionWithoutSchema_IsRequired()
    {
        var crd = JsonNode.Parse("""{"spec":{"versions":[{"name":"v1"}]}}""")!.AsObject();
        Assert.Equal("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required", Assert.Single(CrdSchemaValidation.Validate(crd)).ToString());
    }
}
