using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>Seeded random JSON objects of any built-in kind, valid for the schema (right JSON types and formats).</summary>
internal sealed class RandomObjects(int seed)
{
    private const int MaxDepth = 7;
    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>A random object of a random kind; returns the apiVersion/kind it was built for.</summary>
    public (JsonObject Object, string ApiVersion, string Kind) NextObject(IReadOnlyList<(string ApiVersion, string Kind)> kinds)
    {
        var (apiVersion, kind) = kinds[_random.Next(kinds.Count)];
        ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message);
        var obj = Message(message!, 0);
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        return (obj, apiVersion, kind);
    }

    private JsonObject Message(ProtoMessage message, int depth)
    {
        var obj = new JsonObject();
        Fill(obj, message, depth);
        return obj;
    }

    private void Fill(JsonObject obj, ProtoMessage message, int depth)
    {
        foreach (var field in message.Fields)
        {
            if (field.Inline)
            {
                Fill(obj, field.Message!, depth + 1);
                continue;
            }

            if (_random.Next(3) == 0 || (depth >= MaxDepth && field.Type == ProtoType.Message && field.Message!.Special == SpecialType.None))
            {
                continue;
            }

            switch (field.Label)
            {
                case ProtoLabel.Optional:
                    obj[field.JsonName] = Value(field.Type, field.Message, depth);
                    break;
                case ProtoLabel.Repeated:
                    var array = new JsonArray();
                    for (var i = _random.Next(4); i > 0; i--)
                    {
                        array.Add(Value(field.Type, field.Message, depth));
                    }

                    obj[field.JsonName] = array;
                    break;
                default:
                    var map = new JsonObject();
                    for (var i = _random.Next(4); i > 0; i--)
                    {
                        map[String()] = Value(field.Type, field.Message, depth);
                    }

                    obj[field.JsonName] = map;
                    break;
            }
        }
    }

    private JsonNode? Value(ProtoType type, ProtoMessage? message, int depth) => type switch
    {
        ProtoType.String => String(),
        ProtoType.Bytes => Convert.ToBase64String(Bytes()),
        ProtoType.Bool => _random.Next(2) == 0,
        ProtoType.Int32 => _random.Next(4) == 0 ? 0 : _random.Next(int.MinValue, int.MaxValue),
        ProtoType.Int64 => _random.Next(4) == 0 ? 0L : _random.NextInt64(long.MinValue, long.MaxValue),
        _ => Special(message!, depth + 1),
    };

    private JsonNode? Special(ProtoMessage message, int depth)
    {
        switch (message.Special)
        {
            case SpecialType.Time:
                return _random.Next(5) == 0 ? null : GoFormats.FormatTime(_random.NextInt64(-62135596800, 253402300799), 0, micro: false);
            case SpecialType.MicroTime:
                return _random.Next(5) == 0 ? null : GoFormats.FormatTime(_random.NextInt64(-62135596800, 253402300799), _random.Next(1_000_000) * 1000L, micro: true);
            case SpecialType.Duration:
                return GoFormats.FormatDuration(_random.Next(3) == 0 ? _random.Next(1000) : _random.NextInt64(long.MinValue, long.MaxValue));
            case SpecialType.Quantity:
                return new[] { "0", "1", "100m", "1Gi", "2.5", "1e3", "64Ki" }[_random.Next(7)];
            case SpecialType.IntOrString:
                return _random.Next(2) == 0 ? _random.Next(-100000, 100000) : String();
            case SpecialType.RawExtension:
                return _random.Next(5) == 0 ? null : new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Thing", ["n"] = _random.Next(), ["s"] = String() };
            case SpecialType.FieldsV1:
                return new JsonObject { ["f:metadata"] = new JsonObject { ["f:" + String()] = new JsonObject() } };
            case SpecialType.StringList:
                var list = new JsonArray();
                for (var i = _random.Next(3); i > 0; i--)
                {
                    list.Add(String());
                }

                return list;
            default:
                return Message(message, depth);
        }
    }

    private string String()
    {
        var n = _random.Next(4) == 0 ? 0 : _random.Next(1, _random.Next(3) == 0 ? 200 : 12);
        var sb = new StringBuilder(n);
        for (var i = 0; i < n; i++)
        {
            switch (_random.Next(10))
            {
                case 0:
                    sb.Append((char)_random.Next(0x80, 0xD7FF)); // BMP
                    break;
                case 1:
                    sb.Append(char.ConvertFromUtf32(_random.Next(0x10000, 0x10FFFF))); // surrogate pair
                    break;
                case 2:
                    sb.Append((char)_random.Next(0xE000, 0xFFFD));
                    break;
                default:
                    sb.Append((char)_random.Next(0x20, 0x7F));
                    break;
            }
        }

        return sb.ToString();
    }

    private byte[] Bytes()
    {
        // Never empty: an empty non-nil []byte of an omitempty field is written by gogo but left out of the JSON,
        // so upstream itself does not round-trip it (protobuf → JSON → protobuf drops the empty field).
        var b = new byte[_random.Next(1, _random.Next(3) == 0 ? 300 : 8)];
        _random.NextBytes(b);
        return b;
    }
}
