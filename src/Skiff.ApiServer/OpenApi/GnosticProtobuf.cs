using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Encodes a Swagger 2.0 document (JSON) as the gnostic <c>openapi.v2.Document</c> protobuf message
/// (google/gnostic-models <c>openapiv2/OpenAPIv2.proto</c>), the body upstream serves for
/// <c>application/com.github.proto-openapi.spec.v2.v1.0+protobuf</c> and kubectl decodes. Covers what Skiff's v2
/// document contains: info, paths (operations, body/query/path/header parameters, responses), definitions (every
/// Schema field but <c>xml</c>), security definitions of the api-key kind and security requirements. Values of
/// <c>default</c>, <c>enum</c>, <c>example</c> and vendor extensions are <c>Any.yaml</c> strings holding the value
/// as JSON (valid YAML, which is how kubectl reads them). Fields are written in field-number order, maps in JSON
/// order, so equal documents encode to equal bytes.
/// </summary>
internal static class GnosticProtobuf
{
    private static readonly JsonSerializerOptions YamlJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch"];

    /// <summary>Encodes <paramref name="swagger"/> as a gnostic <c>Document</c>.</summary>
    public static byte[] Encode(JsonObject swagger)
    {
        var w = new ProtoBuffer();
        w.String(1, Str(swagger["swagger"]));
        if (swagger["info"] is JsonObject info)
        {
            w.Begin(2);
            w.String(1, Str(info["title"]));
            w.String(2, Str(info["version"]));
            w.String(3, Str(info["description"]));
            Extensions(w, 7, info);
            w.End();
        }

        w.String(3, Str(swagger["host"]));
        w.String(4, Str(swagger["basePath"]));
        Strings(w, 5, swagger["schemes"]);
        Strings(w, 6, swagger["consumes"]);
        Strings(w, 7, swagger["produces"]);
        if (swagger["paths"] is JsonObject paths)
        {
            w.Begin(8);
            Extensions(w, 1, paths);
            foreach (var (name, item) in paths)
            {
                if (name.StartsWith("x-", StringComparison.Ordinal) || item is not JsonObject pathItem)
                {
                    continue;
                }

                w.Begin(2);
                w.String(1, name);
                w.Begin(2);
                PathItem(w, pathItem);
                w.End();
                w.End();
            }

            w.End();
        }

        if (swagger["definitions"] is JsonObject definitions)
        {
            w.Begin(9);
            NamedSchemas(w, definitions);
            w.End();
        }

        foreach (var requirement in (swagger["security"] as JsonArray ?? []).OfType<JsonObject>())
        {
            w.Begin(12);
            foreach (var (name, scopes) in requirement)
            {
                w.Begin(1);
                w.String(1, name);
                w.Begin(2);
                foreach (var scope in (scopes as JsonArray ?? []))
                {
                    w.RepeatedString(1, Str(scope) ?? "");
                }

                w.End();
                w.End();
            }

            w.End();
        }

        if (swagger["securityDefinitions"] is JsonObject securityDefinitions)
        {
            w.Begin(13);
            foreach (var (name, value) in securityDefinitions)
            {
                if (value is not JsonObject def || Str(def["type"]) != "apiKey")
                {
                    continue;
                }

                w.Begin(1);
                w.String(1, name);
                w.Begin(2);
                w.Begin(2);
                w.String(1, "apiKey");
                w.String(2, Str(def["name"]));
                w.String(3, Str(def["in"]));
                w.String(4, Str(def["description"]));
                Extensions(w, 5, def);
                w.End();
                w.End();
                w.End();
            }

            w.End();
        }

        Extensions(w, 16, swagger);
        return w.ToArray();
    }

    private static void PathItem(ProtoBuffer w, JsonObject item)
    {
        w.String(1, Str(item["$ref"]));
        for (var i = 0; i < Methods.Length; i++)
        {
            if (item[Methods[i]] is JsonObject op)
            {
                w.Begin(2 + i);
                Operation(w, op);
                w.End();
            }
        }

        Parameters(w, 9, item["parameters"]);
        Extensions(w, 10, item);
    }

    private static void Operation(ProtoBuffer w, JsonObject op)
    {
        Strings(w, 1, op["tags"]);
        w.String(2, Str(op["summary"]));
        w.String(3, Str(op["description"]));
        w.String(5, Str(op["operationId"]));
        Strings(w, 6, op["produces"]);
        Strings(w, 7, op["consumes"]);
        Parameters(w, 8, op["parameters"]);
        if (op["responses"] is JsonObject responses)
        {
            w.Begin(9);
            foreach (var (code, value) in responses)
            {
                if (code.StartsWith("x-", StringComparison.Ordinal) || value is not JsonObject response)
                {
                    continue;
                }

                w.Begin(1);
                w.String(1, code);
                w.Begin(2);
                w.Begin(1);
                w.String(1, Str(response["description"]));
                if (response["schema"] is JsonObject schema)
                {
                    w.Begin(2);
                    w.Begin(1);
                    Schema(w, schema);
                    w.End();
                    w.End();
                }

                Extensions(w, 5, response);
                w.End();
                w.End();
                w.End();
            }

            Extensions(w, 2, responses);
            w.End();
        }

        Strings(w, 10, op["schemes"]);
        w.Bool(11, Bool(op["deprecated"]));
        Extensions(w, 13, op);
    }

    private static void Parameters(ProtoBuffer w, int field, JsonNode? node)
    {
        foreach (var p in (node as JsonArray ?? []).OfType<JsonObject>())
        {
            w.Begin(field);
            if (Str(p["$ref"]) is { } reference)
            {
                w.Begin(2);
                w.String(1, reference);
                w.String(2, Str(p["description"]));
                w.End();
            }
            else
            {
                w.Begin(1);
                Parameter(w, p);
                w.End();
            }

            w.End();
        }
    }

    private static void Parameter(ProtoBuffer w, JsonObject p)
    {
        var location = Str(p["in"]);
        if (location == "body")
        {
            w.Begin(1);
            w.String(1, Str(p["description"]));
            w.String(2, Str(p["name"]));
            w.String(3, location);
            w.Bool(4, Bool(p["required"]));
            if (p["schema"] is JsonObject schema)
            {
                w.Begin(5);
                Schema(w, schema);
                w.End();
            }

            Extensions(w, 6, p);
            w.End();
            return;
        }

        // NonBodyParameter: header 1, formData 2, query 3, path 4. Query and formData carry allowEmptyValue (5), so
        // their later fields are one number higher than header's and path's.
        var (kind, shift) = location switch { "header" => (1, 0), "formData" => (2, 1), "path" => (4, 0), _ => (3, 1) };
        w.Begin(2);
        w.Begin(kind);
        w.Bool(1, Bool(p["required"]));
        w.String(2, location);
        w.String(3, Str(p["description"]));
        w.String(4, Str(p["name"]));
        if (shift == 1)
        {
            w.Bool(5, Bool(p["allowEmptyValue"]));
        }

        w.String(5 + shift, Str(p["type"]));
        w.String(6 + shift, Str(p["format"]));
        w.String(8 + shift, Str(p["collectionFormat"]));
        Any(w, 9 + shift, p["default"]);
        w.Double(10 + shift, Num(p["maximum"]));
        w.Bool(11 + shift, Bool(p["exclusiveMaximum"]));
        w.Double(12 + shift, Num(p["minimum"]));
        w.Bool(13 + shift, Bool(p["exclusiveMinimum"]));
        w.Int64(14 + shift, (long)Num(p["maxLength"]));
        w.Int64(15 + shift, (long)Num(p["minLength"]));
        w.String(16 + shift, Str(p["pattern"]));
        w.Int64(17 + shift, (long)Num(p["maxItems"]));
        w.Int64(18 + shift, (long)Num(p["minItems"]));
        w.Bool(19 + shift, Bool(p["uniqueItems"]));
        foreach (var value in p["enum"] as JsonArray ?? [])
        {
            AnyAlways(w, 20 + shift, value);
        }

        w.Double(21 + shift, Num(p["multipleOf"]));
        Extensions(w, 22 + shift, p);
        w.End();
        w.End();
    }

    private static void NamedSchemas(ProtoBuffer w, JsonObject map)
    {
        foreach (var (name, value) in map)
        {
            w.Begin(1);
            w.String(1, name);
            w.Begin(2);
            if (value is JsonObject schema)
            {
                Schema(w, schema);
            }

            w.End();
            w.End();
        }
    }

    private static void Schema(ProtoBuffer w, JsonObject s)
    {
        w.String(1, Str(s["$ref"]));
        w.String(2, Str(s["format"]));
        w.String(3, Str(s["title"]));
        w.String(4, Str(s["description"]));
        Any(w, 5, s["default"]);
        w.Double(6, Num(s["multipleOf"]));
        w.Double(7, Num(s["maximum"]));
        w.Bool(8, Bool(s["exclusiveMaximum"]));
        w.Double(9, Num(s["minimum"]));
        w.Bool(10, Bool(s["exclusiveMinimum"]));
        w.Int64(11, (long)Num(s["maxLength"]));
        w.Int64(12, (long)Num(s["minLength"]));
        w.String(13, Str(s["pattern"]));
        w.Int64(14, (long)Num(s["maxItems"]));
        w.Int64(15, (long)Num(s["minItems"]));
        w.Bool(16, Bool(s["uniqueItems"]));
        w.Int64(17, (long)Num(s["maxProperties"]));
        w.Int64(18, (long)Num(s["minProperties"]));
        Strings(w, 19, s["required"]);
        foreach (var value in s["enum"] as JsonArray ?? [])
        {
            AnyAlways(w, 20, value);
        }

        switch (s["additionalProperties"])
        {
            case JsonObject schema:
                w.Begin(21);
                w.Begin(1);
                Schema(w, schema);
                w.End();
                w.End();
                break;
            case JsonValue flag when flag.TryGetValue<bool>(out var allowed):
                // A oneof member is present even when false: write it explicitly.
                w.Begin(21);
                w.BoolAlways(2, allowed);

                w.End();
                break;
        }

        if (s["type"] is { } type)
        {
            w.Begin(22);
            if (type is JsonArray types)
            {
                foreach (var t in types)
                {
                    w.RepeatedString(1, Str(t) ?? "");
                }
            }
            else
            {
                w.RepeatedString(1, Str(type) ?? "");
            }

            w.End();
        }

        if (s["items"] is { } items)
        {
            w.Begin(23);
            foreach (var item in items is JsonArray list ? list.OfType<JsonObject>() : items is JsonObject one ? [one] : [])
            {
                w.Begin(1);
                Schema(w, item);
                w.End();
            }

            w.End();
        }

        foreach (var item in (s["allOf"] as JsonArray ?? []).OfType<JsonObject>())
        {
            w.Begin(24);
            Schema(w, item);
            w.End();
        }

        if (s["properties"] is JsonObject properties)
        {
            w.Begin(25);
            NamedSchemas(w, properties);
            w.End();
        }

        w.String(26, Str(s["discriminator"]));
        w.Bool(27, Bool(s["readOnly"]));
        if (s["externalDocs"] is JsonObject docs)
        {
            w.Begin(29);
            w.String(1, Str(docs["description"]));
            w.String(2, Str(docs["url"]));
            w.End();
        }

        Any(w, 30, s["example"]);
        Extensions(w, 31, s);
    }

    private static void Extensions(ProtoBuffer w, int field, JsonObject owner)
    {
        foreach (var (name, value) in owner)
        {
            if (!name.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            w.Begin(field);
            w.String(1, name);
            AnyAlways(w, 2, value);
            w.End();
        }
    }

    private static void Any(ProtoBuffer w, int field, JsonNode? value)
    {
        if (value is not null)
        {
            AnyAlways(w, field, value);
        }
    }

    private static void AnyAlways(ProtoBuffer w, int field, JsonNode? value)
    {
        w.Begin(field);
        w.String(2, Yaml(value));
        w.End();
    }

    /// <summary>The <c>Any.yaml</c> text of a value: its JSON (a YAML flow document) and a newline.</summary>
    private static string Yaml(JsonNode? value) =>
        (value is null ? "null" : value.ToJsonString(YamlJson)) + "\n";

    private static void Strings(ProtoBuffer w, int field, JsonNode? node)
    {
        foreach (var value in node as JsonArray ?? [])
        {
            w.RepeatedString(field, Str(value) ?? "");
        }
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool Bool(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static double Num(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;
}
