using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Xunit;

namespace Skiff.ApiServer.Tests.OpenApi;

public class SwaggerDocumentTests
{
    private static readonly Lazy<(OpenApiService Service, OpenApiV2Document Doc, JsonObject Json)> Shared = new(() =>
    {
        var service = TestResources.Service();
        var doc = service.V2();
        return (service, doc, JsonNode.Parse(doc.Json.Span)!.AsObject());
    });

    private static JsonObject Json => Shared.Value.Json;

    private static JsonObject Definitions => Json["definitions"]!.AsObject();

    [Fact]
    public void V2_Json_IsSwagger20WithConfigMapTaggedByGvk()
    {
        Assert.Equal("2.0", (string?)Json["swagger"]);
        Assert.Equal("Kubernetes", (string?)Json["info"]!["title"]);
        var configMap = Definitions["io.k8s.api.core.v1.ConfigMap"]!.AsObject();
        Assert.True(JsonNode.DeepEquals(new JsonArray(new JsonObject { ["group"] = "", ["kind"] = "ConfigMap", ["version"] = "v1" }), configMap["x-kubernetes-group-version-kind"]));
        Assert.Equal("object", (string?)configMap["properties"]!["data"]!["type"]);
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)configMap["properties"]!["metadata"]!["$ref"]);
    }

    [Fact]
    public void V2_Json_EveryRefPointsAtADefinitionAndNoV3KeywordRemains()
    {
        var refs = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Walk(Json, refs, keys);

        Assert.NotEmpty(refs);
        Assert.All(refs, r =>
        {
            Assert.StartsWith("#/definitions/", r);
            Assert.True(Definitions.ContainsKey(r["#/definitions/".Length..]), $"dangling {r}");
        });
        Assert.DoesNotContain("oneOf", keys);
        Assert.DoesNotContain("anyOf", keys);
        Assert.DoesNotContain("nullable", keys);
        Assert.DoesNotContain("requestBody", keys);
        Assert.DoesNotContain("components", keys);
    }

    [Fact]
    public void V2_Json_RefsCarryNoTypeOrPropertiesAndArraysHaveOneItemSchema()
    {
        // kubectl's v2 parser (kube-openapi proto.NewOpenAPIData) fails the whole document on any of these.
        foreach (var (name, schema) in Definitions)
        {
            CheckParsable(name, schema!.AsObject());
        }
    }

    [Fact]
    public void V2_IntOrStringAndQuantity_AreStringsAsUpstreamPublishesThem()
    {
        Assert.Equal("string", (string?)Definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["type"]);
        Assert.Equal("int-or-string", (string?)Definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]);
        Assert.Equal("string", (string?)Definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"]);
    }

    [Fact]
    public void V2_Paths_PatchOperationsListFieldValidationAndGvk()
    {
        var patch = Json["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!;
        Assert.Equal("patchCoreV1NamespacedPod", (string?)patch["operationId"]);
        Assert.Contains("application/strategic-merge-patch+json", patch["consumes"]!.AsArray().Select(c => (string?)c));
        var parameters = patch["parameters"]!.AsArray();
        Assert.Equal("body", (string?)parameters[0]!["in"]);
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch", (string?)parameters[0]!["schema"]!["$ref"]);
        Assert.Contains(parameters, p => (string?)p!["name"] == "fieldValidation" && (string?)p["in"] == "query" && (string?)p["type"] == "string");
        Assert.Equal("Pod", (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Pod", (string?)patch["responses"]!["200"]!["schema"]!["$ref"]);
        Assert.Equal("path", (string?)Json["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["parameters"]![0]!["in"]);
    }

    [Fact]
    public void V2_CustomResources_FollowUpstreamCrdV2Rules()
    {
        var cronTab = Definitions["com.example.stable.v1.CronTab"]!.AsObject();
        var spec = cronTab["properties"]!["spec"]!["properties"]!;
        Assert.Equal("string", (string?)spec["cronSpec"]!["type"]);
        Assert.Null(spec["config"]!["type"]);                       // preserve-unknown-fields object: untyped
        Assert.True((bool)spec["config"]!["x-kubernetes-preserve-unknown-fields"]!);
        Assert.Null(spec["port"]!["type"]);                         // int-or-string: untyped
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)cronTab["properties"]!["metadata"]!["$ref"]);
        Assert.Equal("CronTab", (string?)cronTab["x-kubernetes-group-version-kind"]![0]!["kind"]);

        // No schema (preserve-unknown-fields at the root): a plain object, as upstream's buildKubeNative publishes it.
        var widget = Definitions["com.example.stable.v1.Widget"]!.AsObject();
        Assert.Equal(["type", "x-kubernetes-group-version-kind"], widget.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("object", (string?)widget["type"]);

        Assert.Equal("#/definitions/com.example.stable.v1.CronTab", (string?)Definitions["com.example.stable.v1.CronTabList"]!["properties"]!["items"]!["items"]!["$ref"]);
    }

    [Fact]
    public void CustomKind_NullableAndPreserveNodes_LoseTypeItemsPropertiesAndRequired()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","required":["a","b"],"properties":{
              "a":{"type":"string","nullable":true},
              "b":{"type":"array","items":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"string"}}}},
              "c":{"type":"array","x-kubernetes-preserve-unknown-fields":true,"items":{"type":"string"}},
              "d":{"anyOf":[{"type":"integer"},{"type":"string"}],"x-kubernetes-int-or-string":true},
              "e":{"type":"object","additionalProperties":false,"properties":{"z":{"type":"integer","minimum":1,"enum":[1,2]}}}}}
            """)!.AsObject();

        var v2 = SwaggerConverter.CustomKind(schema);

        Assert.Equal(["b"], v2["required"]!.AsArray().Select(r => (string)r!).ToArray());
        var props = v2["properties"]!;
        Assert.Null(props["a"]!["type"]);
        Assert.Null(props["a"]!["nullable"]);
        Assert.Equal("array", (string?)props["b"]!["type"]);
        Assert.Null(props["b"]!["items"]!["type"]);
        Assert.Null(props["b"]!["items"]!["properties"]);
        Assert.Null(props["c"]!["type"]);                           // an array without items is untyped
        Assert.Null(props["c"]!["items"]);
        Assert.Null(props["d"]!["anyOf"]);
        Assert.False((bool)props["e"]!["additionalProperties"]!);
        Assert.Equal(1.0, (double)props["e"]!["properties"]!["z"]!["minimum"]!);
    }

    [Fact]
    public void V2_Protobuf_DecodesToTheSameDefinitionsAsTheJson()
    {
        var decoded = GnosticDecoder.Document(Shared.Value.Doc.Protobuf);

        Assert.Equal("2.0", (string?)decoded["swagger"]);
        Assert.Equal("v1.32.0", (string?)decoded["info"]!["version"]);
        var definitions = decoded["definitions"]!.AsObject();
        Assert.Equal(Definitions.Select(d => d.Key), definitions.Select(d => d.Key));
        foreach (var (name, schema) in Definitions)
        {
            // proto3 does not carry empty strings: drop them from the JSON side before comparing.
            var expected = schema!.DeepClone();
            DropEmptyStrings(expected);
            Assert.True(JsonNode.DeepEquals(expected, definitions[name]), $"{name}: protobuf {definitions[name]?.ToJsonString()} != json {schema?.ToJsonString()}");
        }

        Assert.Single(decoded["security"]!.AsArray());
    }

    [Fact]
    public void V2_Protobuf_PathsCarryOperationsGvkAndQueryParameters()
    {
        var decoded = GnosticDecoder.Document(Shared.Value.Doc.Protobuf);
        var paths = decoded["paths"]!.AsObject();

        Assert.Equal(Json["paths"]!.AsObject().Select(p => p.Key), paths.Select(p => p.Key));
        var patch = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("patchAppsV1NamespacedDeployment", (string?)patch["operationId"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"group":"apps","kind":"Deployment","version":"v1"}"""), patch["x-kubernetes-group-version-kind"]));
        var parameters = patch["parameters"]!.AsArray();
        Assert.Equal("body", (string?)parameters[0]!["in"]);
        Assert.Contains(parameters, p => (string?)p!["name"] == "fieldValidation" && (int?)p["kind"] == 3 && (string?)p["type"] == "string");
        Assert.Contains("application/apply-patch+yaml", patch["consumes"]!.AsArray().Select(c => (string?)c));
    }

    [Fact]
    public void Build_Twice_GivesIdenticalBytes()
    {
        var a = TestResources.Service().V2();
        var b = TestResources.Service().V2();

        Assert.True(a.Json.Span.SequenceEqual(b.Json.Span));
        Assert.True(a.Protobuf.Span.SequenceEqual(b.Protobuf.Span));
        Assert.Equal(a.Hash, b.Hash);
    }

    [Fact]
    public void Update_WithANewCustomResource_RebuildsTheDocument()
    {
        var service = new OpenApiService([TestResources.Pods]);
        var before = service.V2();
        Assert.Same(before, service.V2());

        service.Update([TestResources.Pods, TestResources.CronTabs], [TestResources.CronTabSchema]);
        var after = service.V2();

        Assert.NotEqual(before.Hash, after.Hash);
        var json = JsonNode.Parse(after.Json.Span)!;
        Assert.NotNull(json["definitions"]!["com.example.stable.v1.CronTab"]);
        Assert.NotNull(json["paths"]!["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"]);
        Assert.Null(JsonNode.Parse(before.Json.Span)!["definitions"]!["com.example.stable.v1.CronTab"]);
    }

    private static void DropEmptyStrings(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0 && !p.Key.StartsWith("x-", StringComparison.Ordinal)).Select(p => p.Key).ToList())
            {
                o.Remove(key);
            }

            foreach (var (key, value) in o)
            {
                if (key == "properties" && value is JsonObject props)
                {
                    foreach (var (_, prop) in props)
                    {
                        DropEmptyStrings(prop);
                    }
                }
                else if (key is not ("default" or "enum" or "example") && !key.StartsWith("x-", StringComparison.Ordinal))
                {
                    DropEmptyStrings(value);
                }
            }
        }
    }

    private static void Walk(JsonNode? node, List<string> refs, HashSet<string> keys)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    keys.Add(key);
                    if (key == "$ref" && value is JsonValue)
                    {
                        refs.Add((string)value!);
                    }
                    else if (key is "properties" or "definitions" or "paths" or "responses" && value is JsonObject map)
                    {
                        // Names, not keywords (JSONSchemaProps has properties called "oneOf", "nullable", …).
                        foreach (var (_, child) in map)
                        {
                            Walk(child, refs, keys);
                        }
                    }
                    else if (key is not ("description" or "x-kubernetes-group-version-kind"))
                    {
                        Walk(value, refs, keys);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Walk(item, refs, keys);
                }

                break;
        }
    }

    private static void CheckParsable(string path, JsonObject s)
    {
        if (s["$ref"] is not null)
        {
            Assert.True(s["type"] is null && s["properties"] is null, $"{path}: ref with type or properties");
            return;
        }

        var type = s["type"];
        Assert.True(type is null or JsonValue, $"{path}: several types");
        var t = (string?)type;
        Assert.True(t is null or "object" or "array" or "string" or "integer" or "number" or "boolean", $"{path}: type {t}");
        if (t == "array")
        {
            Assert.True(s["items"] is JsonObject, $"{path}: array without exactly one item schema");
        }

        foreach (var (name, prop) in s["properties"] as JsonObject ?? [])
        {
            CheckParsable(path + "." + name, prop!.AsObject());
        }

        if (s["items"] is JsonObject items)
        {
            CheckParsable(path + "[]", items);
        }

        if (s["additionalProperties"] is JsonObject additional)
        {
            CheckParsable(path + "{}", additional);
        }
    }
}
