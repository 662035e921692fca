using System.Text.Json.Nodes;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Converts Skiff's OpenAPI 3.0 schemas and per-group-version paths into their Swagger 2.0 form, the way upstream
/// publishes <c>/openapi/v2</c>:
/// <list type="bullet">
/// <item>refs <c>#/components/schemas/X</c> become <c>#/definitions/X</c>; a ref keeps only its description,
/// default and extensions (kubectl's v2 parser rejects a ref with a type or properties);</item>
/// <item>keywords Swagger 2.0 does not have (<c>nullable</c>, <c>oneOf</c>, <c>anyOf</c>, <c>not</c>, …) are dropped;
/// the built-in <c>oneOf</c> scalars (IntOrString, Quantity) become <c>type: string</c> as upstream's Go types
/// declare them for v2;</item>
/// <item>custom-resource schemas go through the rules of upstream's <c>ToStructuralOpenAPIV2</c> and
/// <c>buildKubeNative</c>: a root with <c>x-kubernetes-preserve-unknown-fields</c> becomes a plain
/// <c>type: object</c>; nested preserve-unknown-fields and nullable nodes lose items and properties (and an object
/// type), an array left without items loses its type, nullable properties are not required;</item>
/// <item>operations: the request body becomes a <c>body</c> parameter, parameter schemas are inlined
/// (<c>type</c>, <c>uniqueItems</c>), <c>consumes</c>/<c>produces</c> list the v3 content types, each response keeps
/// one schema, <c>schemes: [https]</c>.</item>
/// </list>
/// Every call returns new nodes; the inputs are not modified.
/// </summary>
internal static class SwaggerConverter
{
    /// <summary>The prefix of every v2 <c>$ref</c>.</summary>
    public const string DefinitionsPrefix = "#/definitions/";

    private static readonly HashSet<string> SchemaKeywords = new(StringComparer.Ordinal)
    {
        "$ref", "format", "title", "description", "default", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties",
        "minProperties", "required", "enum", "additionalProperties", "type", "items", "allOf", "properties", "readOnly",
        "example", "externalDocs",
    };

    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch"];

    /// <summary>The v2 definition of a built-in schema.</summary>
    public static JsonObject BuiltIn(JsonObject schema)
    {
        var result = Schema(schema, custom: false)!;
        if (schema["oneOf"] is JsonArray && result["type"] is null)
        {
            // IntOrString (format int-or-string) and Quantity: upstream's Go types publish type string in v2.
            result["type"] = "string";
        }

        return result;
    }

    /// <summary>
    /// The v2 definition of a custom resource kind (the v3 schema Skiff serves, with apiVersion, kind, metadata and
    /// the GVK tag already added). A root that preserves unknown fields is published as a plain object, as upstream
    /// does, because kubectl would otherwise reject every field outside apiVersion, kind and metadata.
    /// </summary>
    public static JsonObject CustomKind(JsonObject schema)
    {
        if (IsTrue(schema["x-kubernetes-preserve-unknown-fields"]))
        {
            var plain = new JsonObject { ["type"] = "object" };
            foreach (var (key, value) in schema)
            {
                if (key.StartsWith("x-kubernetes-group-version-kind", StringComparison.Ordinal))
                {
                    plain[key] = value?.DeepClone();
                }
            }

            return plain;
        }

        return Schema(schema, custom: true)!;
    }

    /// <summary>The v2 definition of a custom resource list kind.</summary>
    public static JsonObject CustomList(JsonObject schema) => Schema(schema, custom: true)!;

    /// <summary>Converts one v3 schema node; <paramref name="custom"/> applies the CRD v2 rules.</summary>
    public static JsonObject? Schema(JsonNode? node, bool custom)
    {
        if (node is not JsonObject s)
        {
            return null;
        }

        // A single-element allOf around a ref (upstream's v3 style) is a plain ref in v2.
        if (s["$ref"] is null && s["allOf"] is JsonArray { Count: 1 } allOf && allOf[0] is JsonObject { } inner && inner["$ref"] is not null)
        {
            var merged = new JsonObject();
            foreach (var (key, value) in s)
            {
                if (key != "allOf")
                {
                    merged[key] = value?.DeepClone();
                }
            }

            merged["$ref"] = inner["$ref"]!.DeepClone();
            s = merged;
        }

        if (s["$ref"] is JsonValue refValue)
        {
            var reference = new JsonObject { ["$ref"] = Ref(refValue.GetValue<string>()) };
            foreach (var (key, value) in s)
            {
                if (key is "description" or "default" || key.StartsWith("x-", StringComparison.Ordinal))
                {
                    reference[key] = value?.DeepClone();
                }
            }

            return reference;
        }

        var nullable = custom && IsTrue(s["nullable"]);
        var preserve = custom && IsTrue(s["x-kubernetes-preserve-unknown-fields"]);
        var result = new JsonObject();
        foreach (var (key, value) in s)
        {
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                result[key] = value?.DeepClone();
                continue;
            }

            if (!SchemaKeywords.Contains(key) || (custom && key == "allOf"))
            {
                continue;
            }

            switch (key)
            {
                case "properties" when value is JsonObject props:
                    if (nullable || preserve)
                    {
                        break;
                    }

                    var converted = new JsonObject();
                    foreach (var (name, prop) in props)
                    {
                        converted[name] = Schema(prop, custom) ?? new JsonObject();
                    }

                    result[key] = converted;
                    break;
                case "items":
                    if (nullable || preserve)
                    {
                        break;
                    }

                    result[key] = value is JsonArray tuple
                        ? new JsonArray(tuple.Select(i => (JsonNode?)Schema(i, custom)).ToArray())
                        : Schema(value, custom);
                    break;
                case "additionalProperties":
                    result[key] = value is JsonObject ? Schema(value, custom) : value?.DeepClone();
                    break;
                case "allOf":
                    result[key] = new JsonArray(((value as JsonArray) ?? []).Select(i => (JsonNode?)Schema(i, custom)).ToArray());
                    break;
                case "type" when nullable:
                    break;
                default:
                    result[key] = value?.DeepClone();
                    break;
            }
        }

        if (custom)
        {
            ApplyCustomRules(s, result, preserve);
        }

        return result;
    }

    /// <summary>The v2 path items of one v3 group-version document's <c>paths</c>, added to <paramref name="into"/>.</summary>
    public static void AddPaths(JsonObject v3Paths, IDictionary<string, JsonObject> into)
    {
        foreach (var (path, node) in v3Paths)
        {
            if (node is not JsonObject item)
            {
                continue;
            }

            var result = new JsonObject();
            foreach (var method in Methods)
            {
                if (item[method] is JsonObject op)
                {
                    result[method] = Operation(op);
                }
            }

            if (item["parameters"] is JsonArray parameters)
            {
                result["parameters"] = new JsonArray(parameters.OfType<JsonObject>().Select(p => (JsonNode?)Parameter(p)).ToArray());
            }

            into[path] = result;
        }
    }

    private static void ApplyCustomRules(JsonObject source, JsonObject result, bool preserve)
    {
        if (result["type"] is JsonValue t && t.GetValue<string>() == "array" && result["items"] is null)
        {
            result.Remove("type");
        }

        if (preserve && result["type"] is JsonValue o && o.GetValue<string>() == "object")
        {
            result.Remove("type");
        }

        if (result["required"] is JsonArray required && source["properties"] is JsonObject props)
        {
            var kept = required.Where(r => r is JsonValue v && !IsTrue(props[v.GetValue<string>()]?["nullable"])).Select(r => r!.DeepClone()).ToArray();
            if (kept.Length != required.Count)
            {
                if (kept.Length == 0)
                {
                    result.Remove("required");
                }
                else
                {
                    result["required"] = new JsonArray(kept);
                }
            }
        }

        if (source["additionalProperties"] is JsonObject ap && IsTrue(ap["nullable"]))
        {
            result.Remove("required");
        }
    }

    private static JsonObject Operation(JsonObject op)
    {
        var result = new JsonObject();
        CopyIfPresent(op, result, "tags");
        CopyIfPresent(op, result, "summary");
        CopyIfPresent(op, result, "description");
        CopyIfPresent(op, result, "operationId");

        var produces = new List<string>();
        if (op["responses"] is JsonObject responsesIn)
        {
            foreach (var (_, response) in responsesIn)
            {
                if (response?["content"] is JsonObject content)
                {
                    produces.AddRange(content.Select(c => c.Key).Where(k => !produces.Contains(k, StringComparer.Ordinal)));
                }
            }
        }

        var body = op["requestBody"] as JsonObject;
        var consumes = body?["content"] is JsonObject bodyContent ? bodyContent.Select(c => c.Key).ToList() : [];
        if (consumes.Count > 0)
        {
            result["consumes"] = new JsonArray(consumes.Select(c => (JsonNode?)c).ToArray());
        }

        if (produces.Count > 0)
        {
            result["produces"] = new JsonArray(produces.Select(c => (JsonNode?)c).ToArray());
        }

        var parameters = new JsonArray();
        if (body is not null)
        {
            var schema = (body["content"] as JsonObject)?.Select(c => c.Value?["schema"]).FirstOrDefault(s => s is not null);
            var bodyParam = new JsonObject { ["in"] = "body", ["name"] = "body" };
            if (IsTrue(body["required"]))
            {
                bodyParam["required"] = true;
            }

            bodyParam["schema"] = Schema(schema, custom: false) ?? new JsonObject();
            parameters.Add(bodyParam);
        }

        foreach (var p in (op["parameters"] as JsonArray ?? []).OfType<JsonObject>())
        {
            parameters.Add(Parameter(p));
        }

        if (parameters.Count > 0)
        {
            result["parameters"] = parameters;
        }

        var responses = new JsonObject();
        foreach (var (code, response) in (op["responses"] as JsonObject) ?? [])
        {
            var r = new JsonObject { ["description"] = response?["description"]?.DeepClone() ?? "" };
            var schema = (response?["content"] as JsonObject)?.Select(c => c.Value?["schema"]).FirstOrDefault(s => s is not null);
            if (Schema(schema, custom: false) is { } converted)
            {
                r["schema"] = converted;
            }

            responses[code] = r;
        }

        result["responses"] = responses;
        result["schemes"] = new JsonArray("https");
        foreach (var (key, value) in op)
        {
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }

    private static JsonObject Parameter(JsonObject p)
    {
        var result = new JsonObject();
        CopyIfPresent(p, result, "description");
        CopyIfPresent(p, result, "in");
        CopyIfPresent(p, result, "name");
        CopyIfPresent(p, result, "required");
        if (p["schema"] is JsonObject schema)
        {
            foreach (var key in (string[])["type", "format", "uniqueItems"])
            {
                CopyIfPresent(schema, result, key);
            }
        }

        return result;
    }

    private static void CopyIfPresent(JsonObject from, JsonObject to, string key)
    {
        if (from[key] is { } value)
        {
            to[key] = value.DeepClone();
        }
    }

    private static string Ref(string v3) =>
        v3.StartsWith(SchemaSet.RefPrefix, StringComparison.Ordinal) ? DefinitionsPrefix + v3[SchemaSet.RefPrefix.Length..] : v3;

    private static bool IsTrue(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
