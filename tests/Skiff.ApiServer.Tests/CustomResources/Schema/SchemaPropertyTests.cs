using System.Text.Json.Nodes;
using CsCheck;
using Skiff.ApiServer.CustomResources;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Schema;

/// <summary>
/// Properties over random structural schemas (CsCheck drives the seeds): pruning is idempotent, a value built to
/// satisfy a schema validates with no error (and survives pruning and defaulting unchanged in its validity).
/// </summary>
public class SchemaPropertyTests
{
    private static readonly string[] Names = ["a", "b", "c", "d-e", "f_g"];

    /// <summary>A random structural schema node.</summary>
    private static JsonObject SchemaFor(Random r, int depth)
    {
        var kind = depth <= 0 ? r.Next(5) : r.Next(9);
        switch (kind)
        {
            case 0:
                var s = new JsonObject { ["type"] = "string" };
                if (r.Next(3) == 0)
                {
                    s["enum"] = new JsonArray("x", "y", "zz");
                }
                else
                {
                    s["minLength"] = r.Next(3);
                    s["maxLength"] = 3 + r.Next(5);
                    if (r.Next(2) == 0)
                    {
                        s["pattern"] = "^[a-z]*$";
                    }
                }

                return s;
            case 1:
                var min = r.Next(-5, 5);
                return new JsonObject { ["type"] = "integer", ["minimum"] = min, ["maximum"] = min + r.Next(10), ["format"] = "int32" };
            case 2:
                return new JsonObject { ["type"] = "number", ["minimum"] = -1.5, ["maximum"] = 100.25 };
            case 3:
                return new JsonObject { ["type"] = "boolean" };
            case 4:
                return new JsonObject { ["x-kubernetes-int-or-string"] = true };
            case 5 or 6:
                var props = new JsonObject();
                var required = new JsonArray();
                foreach (var n in Names.Where(_ => r.Next(2) == 0))
                {
                    props[n] = SchemaFor(r, depth - 1);
                    if (r.Next(3) == 0)
                    {
                        required.Add(n);
                    }
                }

                var o = new JsonObject { ["type"] = "object", ["properties"] = props };
                if (required.Count > 0)
                {
                    o["required"] = required;
                }

                if (r.Next(4) == 0)
                {
                    o["x-kubernetes-preserve-unknown-fields"] = true;
                }

                return o;
            case 7:
                var items = SchemaFor(r, depth - 1);
                var a = new JsonObject { ["type"] = "array", ["items"] = items, ["minItems"] = r.Next(2), ["maxItems"] = 2 + r.Next(3) };
                if (items["type"] is JsonValue t && (string?)t is "integer" or "string" && items["enum"] is null)
                {
                    a["x-kubernetes-list-type"] = "set";
                }

                return a;
            default:
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = SchemaFor(r, depth - 1), ["maxProperties"] = 3 };
        }
    }

    /// <summary>A value that satisfies <paramref name="s"/>.</summary>
    private static JsonNode ValueFor(JsonObject s, Random r)
    {
        if (s["x-kubernetes-int-or-string"] is not null)
        {
            return r.Next(2) == 0 ? JsonValue.Create(r.Next(100)) : JsonValue.Create("p" + r.Next(100) + "%");
        }

        switch ((string?)s["type"])
        {
            case "string":
                if (s["enum"] is JsonArray e)
                {
                    return e[r.Next(e.Count)]!.DeepClone();
                }

                var len = (int)s["minLength"]! + r.Next((int)s["maxLength"]! - (int)s["minLength"]! + 1);
                return JsonValue.Create(new string(Enumerable.Range(0, len).Select(_ => (char)('a' + r.Next(26))).ToArray()));
            case "integer":
                return JsonValue.Create(r.Next((int)s["minimum"]!, (int)s["maximum"]! + 1));
            case "number":
                return JsonValue.Create(Math.Round(-1.5 + (r.NextDouble() * 101), 2));
            case "boolean":
                return JsonValue.Create(r.Next(2) == 0);
            case "array":
                var arr = new JsonArray();
                var count = (int)s["minItems"]! + r.Next((int)s["maxItems"]! - (int)s["minItems"]! + 1);
                for (var i = 0; i < count * 3 && arr.Count < count; i++)
                {
                    var v = ValueFor(s["items"]!.AsObject(), r);
                    if (s["x-kubernetes-list-type"] is null || !arr.Any(x => x!.ToJsonString() == v.ToJsonString()))
                    {
                        arr.Add(v);
                    }
                }

                return arr.Count >= (int)s["minItems"]! ? arr : new JsonArray();
            default:
                var o = new JsonObject();
                if (s["properties"] is JsonObject props)
                {
                    var required = s["required"]?.AsArray().Select(x => (string)x!).ToHashSet() ?? [];
                    foreach (var (k, p) in props)
                    {
                        if (required.Contains(k) || r.Next(2) == 0)
                        {
                            o[k] = ValueFor(p!.AsObject(), r);
                        }
                    }
                }
                else if (s["additionalProperties"] is JsonObject ap)
                {
                    for (var i = r.Next(4); i > 0; i--)
                    {
                        o["k" + i] = ValueFor(ap, r);
                    }
                }

                return o;
        }
    }

    /// <summary>Random JSON with fields the schema may not know, to prune.</summary>
    private static JsonNode? Junk(Random r, int depth) => (depth <= 0 ? r.Next(4) : r.Next(6)) switch
    {
        0 => JsonValue.Create(r.Next(100)),
        1 => JsonValue.Create("s" + r.Next(10)),
        2 => null,
        3 => JsonValue.Create(r.Next(2) == 0),
        4 => new JsonArray(Enumerable.Range(0, r.Next(3)).Select(_ => Junk(r, depth - 1)).ToArray()),
        _ => new JsonObject(Names.Concat(["zz", "metadata", "kind"]).Where(_ => r.Next(2) == 0).Select(n => KeyValuePair.Create(n, Junk(r, depth - 1)))),
    };

    private static JsonObject Root(JsonObject spec) =>
        new() { ["type"] = "object", ["properties"] = new JsonObject { ["spec"] = spec } };

    [Fact]
    public void Prune_IsIdempotent()
    {
        Gen.Select(Gen.Int, Gen.Int).Sample((schemaSeed, valueSeed) =>
        {
            var schema = CustomResourceSchemaCompiler.Compile(Root(SchemaFor(new Random(schemaSeed), 3)));
            var obj = new JsonObject { ["apiVersion"] = "x/v1", ["kind"] = "K", ["spec"] = Junk(new Random(valueSeed), 4), ["extra"] = 1 };
            schema.Prune(obj);
            var once = obj.ToJsonString();
            schema.Prune(obj);
            return once == obj.ToJsonString() && !obj.ContainsKey("extra");
        }, iter: 500);
    }

    [Fact]
    public void ValueBuiltFromTheSchema_Validates()
    {
        Gen.Select(Gen.Int, Gen.Int).Sample((schemaSeed, valueSeed) =>
        {
            var specSchema = SchemaFor(new Random(schemaSeed), 3);
            var schema = CustomResourceSchemaCompiler.Compile(Root(specSchema));
            var obj = new JsonObject { ["apiVersion"] = "x/v1", ["kind"] = "K", ["spec"] = ValueFor(specSchema, new Random(valueSeed)) };
            var before = obj.ToJsonString();
            schema.Prune(obj);
            schema.Default(obj);
            var errors = schema.Validate(obj, null);
            Assert.True(errors.Count == 0, $"schema {specSchema.ToJsonString()} value {before}: {string.Join("; ", errors)}");
            Assert.Equal(before, obj.ToJsonString());
        }, iter: 500);
    }
}
