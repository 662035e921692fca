using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Skiff.Api.Protobuf;

/// <summary>
/// The JSON form, read from a <see cref="JsonElement"/> (a parsed document, no JsonNode tree) → protobuf wire bytes,
/// exactly as <see cref="ProtoEncoder"/> writes them from a JsonObject: fields in number order, non-pointer fields
/// always written (zero when absent or null), pointer fields only when set, repeated values unpacked, map entries
/// sorted by key. Each object's properties are enumerated once and mapped to their fields by UTF-8 name
/// (<see cref="ProtoNameTable"/>); unknown properties are ignored and of duplicates the last wins.
/// </summary>
internal sealed partial class ProtoJsonEncoder
{
    private static readonly JsonWriterOptions RawJsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ProtoWriter _w;
    private JsonElement[] _slots = new JsonElement[256];
    private int _top;
    private Utf8JsonWriter? _json;

    private ProtoJsonEncoder(ProtoWriter w) => _w = w;

    public static void EncodeEnvelope(JsonElement obj, ProtoMessage message, string apiVersion, string kind, ProtoWriter w)
    {
        var encoder = new ProtoJsonEncoder(w);
        try
        {
            ProtoEnvelope.WriteHead(w, message, apiVersion, kind);
            w.WriteTag(2, 2);
            var raw = w.BeginLength();
            encoder.EncodeMessage(obj, message, 1);
            w.EndLength(raw);
            ProtoEnvelope.WriteTail(w);
        }
        finally
        {
            encoder._json?.Dispose();
        }
    }

    /// <summary>The string value of a top-level property (apiVersion, kind), or null.</summary>
    public static string? TopLevelString(JsonElement obj, ReadOnlySpan<byte> name)
    {
        string? result = null;
        foreach (var p in obj.EnumerateObject())
        {
            if (p.NameEquals(name))
            {
                result = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            }
        }

        return result;
    }

    /// <summary>Encodes an object (or, for an absent one, all zeros) as the body of a message.</summary>
    private void EncodeMessage(JsonElement obj, ProtoMessage message, int depth)
    {
        if (depth > ProtoDecoder.MaxDepth)
        {
            throw new ProtobufEncodeException($"protobuf: objects nested deeper than {ProtoDecoder.MaxDepth} levels");
        }

        var table = ProtoNameTable.For(message);
        var start = _top;
        if (_slots.Length < start + table.SlotCount)
        {
            Array.Resize(ref _slots, Math.Max(_slots.Length * 2, start + table.SlotCount));
        }

        var values = _slots.AsSpan(start, table.SlotCount);
        values.Clear();
        _top = start + table.SlotCount;
        try
        {
            if (obj.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in obj.EnumerateObject())
                {
                    var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                    var slot = raw.IndexOf((byte)'\\') < 0 ? table.Find(raw) : table.Find(Encoding.UTF8.GetBytes(property.Name));
                    if (slot >= 0)
                    {
                        values[slot] = property.Value;
                    }
                }
            }

            EncodeFields(values, message, table, depth);
        }
        finally
        {
            _top = start;
        }
    }

    private void EncodeFields(ReadOnlySpan<JsonElement> values, ProtoMessage message, ProtoNameTable table, int depth)
    {
        foreach (var field in message.EncodeOrder)
        {
            var slot = table.SlotOf[field.Index];
            if (field.Inline)
            {
                _w.WriteTag(field.Number, 2);
                var mark = _w.BeginLength();
                if (depth + 1 > ProtoDecoder.MaxDepth)
                {
                    throw new ProtobufEncodeException($"protobuf: objects nested deeper than {ProtoDecoder.MaxDepth} levels");
                }

                var inner = ProtoNameTable.For(field.Message!);
                EncodeFields(values.Slice(slot, inner.SlotCount), field.Message!, inner, depth + 1);
                _w.EndLength(mark);
                continue;
            }

            var node = values[slot];
            var absent = node.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;
            switch (field.Label)
            {
                case ProtoLabel.Optional:
                    if (absent)
                    {
                        if (!field.Pointer && field.Type != ProtoType.Bytes)
                        {
                            WriteZeroAs(field.Number, field); // a nil []byte is not written
                        }
                    }
                    else
                    {
                        WriteValue(field.Number, field.Type, field.Message, node, depth, message, field);
                    }

                    break;
                case ProtoLabel.Repeated:
                    if (node.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in node.EnumerateArray())
                        {
                            if (item.ValueKind == JsonValueKind.Null)
                            {
                                WriteZeroAs(field.Number, field);
                            }
                            else
                            {
                                WriteValue(field.Number, field.Type, field.Message, item, depth, message, field);
                            }
                        }
                    }
                    else if (!absent)
                    {
                        throw Mismatch(message, field, "an array", node);
                    }

                    break;
                default:
                    if (node.ValueKind == JsonValueKind.Object)
                    {
                        WriteMap(field, node, depth, message);
                    }
                    else if (!absent)
                    {
                        throw Mismatch(message, field, "an object", node);
                    }

                    break;
            }
        }
    }

    private void WriteZeroAs(int number, ProtoField field) => ProtoZero.Write(_w, number, field);

    private void WriteValue(int number, ProtoType type, ProtoMessage? valueMessage, JsonElement node, int depth, ProtoMessage message, ProtoField field)
    {
        switch (type)
        {
            case ProtoType.String:
                _w.WriteTag(number, 2);
                WriteStringValue(node, message, field);
                return;
            case ProtoType.Bytes:
                WriteBase64(number, node, message, field);
                return;
            case ProtoType.Bool:
                if (node.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw Mismatch(message, field, "a boolean", node);
                }

                _w.WriteTag(number, 0);
                _w.WriteVarint(node.ValueKind == JsonValueKind.True ? 1UL : 0UL);
                return;
            case ProtoType.Int32:
                var i32 = GetInteger(node, message, field);
                if (i32 is < int.MinValue or > int.MaxValue)
                {
                    throw new ProtobufEncodeException($"{message.Name}.{field.JsonName}: {i32} does not fit in int32");
                }

                _w.WriteTag(number, 0);
                _w.WriteVarint((ulong)i32);
                return;
            case ProtoType.Int64:
                _w.WriteTag(number, 0);
                _w.WriteVarint((ulong)GetInteger(node, message, field));
                return;
        }

        _w.WriteTag(number, 2);
        var mark = _w.BeginLength();
        WriteMessageValue(valueMessage!, node, depth + 1, message, field);
        _w.EndLength(mark);
    }

    /// <summary>A string value as UTF-8: the raw JSON bytes when unescaped, else the decoded text.</summary>
    private void WriteStringValue(JsonElement node, ProtoMessage message, ProtoField field)
    {
        if (node.ValueKind != JsonValueKind.String)
        {
            throw Mismatch(message, field, "a string", node);
        }

        var raw = JsonMarshal.GetRawUtf8Value(node);
        var content = raw[1..^1];
        if (content.IndexOf((byte)'\\') < 0 && Utf8.IsValid(content))
        {
            _w.WriteBytes(content);
        }
        else
        {
            _w.WriteString(node.GetString()!);
        }
    }

    private static string GetString(JsonElement node, ProtoMessage message, ProtoField field)
        => node.ValueKind == JsonValueKind.String ? node.GetString()! : throw Mismatch(message, field, "a string", node);

    private static long GetInteger(JsonElement node, ProtoMessage message, ProtoField field)
    {
        if (node.ValueKind == JsonValueKind.Number)
        {
            if (node.TryGetInt64(out var l))
            {
                return l;
            }

            if (node.TryGetDouble(out var d) && Math.Floor(d) == d && d is >= long.MinValue and < 9.2233720368547758e18)
            {
                return (long)d;
            }

            if (node.TryGetDecimal(out var m) && decimal.Floor(m) == m && m is >= long.MinValue and <= long.MaxValue)
            {
                return (long)m;
            }
        }

        throw Mismatch(message, field, "an integer", node);
    }

    private static ProtobufEncodeException Mismatch(ProtoMessage message, ProtoField field, string expected, JsonElement node)
        => new($"{message.Name}.{field.JsonName}: expected {expected}, got {node.ValueKind}");
}
