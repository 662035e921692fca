using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>
/// Decodes the parts of a gnostic <c>openapi.v2.Document</c> the tests check back into Swagger JSON, by the field
/// numbers of google/gnostic-models <c>openapiv2/OpenAPIv2.proto</c> (written down here independently of the product).
/// <c>Any.yaml</c> values are parsed as JSON (the product writes JSON, which is YAML).
/// </summary>
internal static class GnosticDecoder
{
    public static JsonObject Document(ReadOnlyMemory<byte> bytes)
    {
        var doc = new JsonObject();
        foreach (var f in WireReader.Read(bytes))
        {
            switch (f.Number)
            {
                case 1: doc["swagger"] = f.Text; break;
                case 2:
                    var info = new JsonObject();
                    foreach (var i in WireReader.Read(f.Bytes))
                    {
                        info[i.Number switch { 1 => "title", 2 => "version", _ => "info" + i.Number }] = i.Text;
                    }

                    doc["info"] = info;
                    break;
                case 8: doc["paths"] = Paths(f.Bytes); break;
                case 9: doc["definitions"] = NamedSchemas(f.Bytes); break;
                case 12: (doc["security"] ??= new JsonArray()).AsArray().Add(new JsonObject { ["count"] = WireReader.Read(f.Bytes).Count }); break;
                case 13: doc["securityDefinitions"] = new JsonObject { ["count"] = WireReader.Read(f.Bytes).Count }; break;
                default: throw new FormatException($"unexpected Document field {f.Number}");
            }
        }

        return doc;
    }

    public static JsonObject Schema(ReadOnlyMemory<byte> bytes)
    {
        var s = new JsonObject();
        foreach (var f in WireReader.Read(bytes))
        {
            switch (f.Number)
            {
                case 1: s["$ref"] = f.Text; break;
                case 2: s["format"] = f.Text; break;
                case 3: s["title"] = f.Text; break;
                case 4: s["description"] = f.Text; break;
                case 5: s["default"] = Any(f.Bytes); break;
                case 7: s["maximum"] = f.Double; break;
                case 9: s["minimum"] = f.Double; break;
                case 11: s["maxLength"] = (long)f.Varint; break;
                case 12: s["minLength"] = (long)f.Varint; break;
                case 13: s["pattern"] = f.Text; break;
                case 14: s["maxItems"] = (long)f.Varint; break;
                case 15: s["minItems"] = (long)f.Varint; break;
                case 16: s["uniqueItems"] = f.Varint != 0; break;
                case 19: (s["required"] ??= new JsonArray()).AsArray().Add(f.Text); break;
                case 20: (s["enum"] ??= new JsonArray()).AsArray().Add(Any(f.Bytes)); break;
                case 21:
                    var ap = WireReader.Read(f.Bytes).Single();
                    s["additionalProperties"] = ap.Number == 1 ? Schema(ap.Bytes) : ap.Varint != 0;
                    break;
                case 22:
                    var types = WireReader.Read(f.Bytes).Select(t => t.Text).ToList();
                    s["type"] = types.Count == 1 ? types[0] : new JsonArray(types.Select(t => (JsonNode?)t).ToArray());
                    break;
                case 23:
                    var items = WireReader.Read(f.Bytes).Select(i => Schema(i.Bytes)).ToList();
                    s["items"] = items.Count == 1 ? items[0] : new JsonArray(items.ToArray<JsonNode?>());
                    break;
                case 25: s["properties"] = NamedSchemas(f.Bytes); break;
                case 27: s["readOnly"] = f.Varint != 0; break;
                case 31:
                    var named = WireReader.Read(f.Bytes);
                    s[named.Single(n => n.Number == 1).Text] = Any(named.Single(n => n.Number == 2).Bytes);
                    break;
                default: throw new FormatException($"unexpected Schema field {f.Number}");
            }
        }

        return s;
    }

    /// <summary>Paths as {path: {method: {operationId, consumes, parameters: [{name,in,type}], x-*}}} (what kubectl reads).</summary>
    private static JsonObject Paths(ReadOnlyMemory<byte> bytes)
    {
        var methods = new[] { "", "", "get", "put", "post", "delete", "options", "head", "patch" };
        var paths = new JsonObject();
        foreach (var named in WireReader.Read(bytes).Where(f => f.Number == 2))
        {
            var parts = WireReader.Read(named.Bytes);
            var item = new JsonObject();
            foreach (var f in WireReader.Read(parts.Single(p => p.Number == 2).Bytes))
            {
                if (f.Number is >= 2 and <= 8)
                {
                    item[methods[f.Number]] = Operation(f.Bytes);
                }
            }

            paths[parts.Single(p => p.Number == 1).Text] = item;
        }

        return paths;
    }

    private static JsonObject Operation(ReadOnlyMemory<byte> bytes)
    {
        var op = new JsonObject();
        foreach (var f in WireReader.Read(bytes))
        {
            switch (f.Number)
            {
                case 5: op["operationId"] = f.Text; break;
                case 7: (op["consumes"] ??= new JsonArray()).AsArray().Add(f.Text); break;
                case 8: (op["parameters"] ??= new JsonArray()).AsArray().Add(Parameter(f.Bytes)); break;
                case 13:
                    var named = WireReader.Read(f.Bytes);
                    op[named.Single(n => n.Number == 1).Text] = Any(named.Single(n => n.Number == 2).Bytes);
                    break;
            }
        }

        return op;
    }

    /// <summary>ParametersItem → Parameter → body (1) or non-body (2: header 1, formData 2, query 3, path 4).</summary>
    private static JsonObject Parameter(ReadOnlyMemory<byte> bytes)
    {
        var parameter = WireReader.Read(WireReader.Read(bytes).Single(f => f.Number == 1).Bytes).Single();
        if (parameter.Number == 1)
        {
            var body = WireReader.Read(parameter.Bytes);
            return new JsonObject { ["in"] = body.Single(f => f.Number == 3).Text, ["name"] = body.Single(f => f.Number == 2).Text, ["schema"] = Schema(body.Single(f => f.Number == 5).Bytes) };
        }

        var sub = WireReader.Read(parameter.Bytes).Single();
        var fields = WireReader.Read(sub.Bytes);
        var typeField = sub.Number is 2 or 3 ? 6 : 5;
        return new JsonObject
        {
            ["in"] = fields.Single(f => f.Number == 2).Text,
            ["name"] = fields.Single(f => f.Number == 4).Text,
            ["type"] = fields.SingleOrDefault(f => f.Number == typeField)?.Text,
            ["kind"] = sub.Number,
        };
    }

    private static JsonObject NamedSchemas(ReadOnlyMemory<byte> bytes)
    {
        var result = new JsonObject();
        foreach (var named in WireReader.Read(bytes))
        {
            var parts = WireReader.Read(named.Bytes);
            result[parts.Single(p => p.Number == 1).Text] = Schema(parts.SingleOrDefault(p => p.Number == 2)?.Bytes ?? default);
        }

        return result;
    }

    private static JsonNode? Any(ReadOnlyMemory<byte> bytes) =>
        JsonNode.Parse(WireReader.Read(bytes).Single(f => f.Number == 2).Text);
}
