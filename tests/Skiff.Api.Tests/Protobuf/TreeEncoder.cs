using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>
/// The reference encoder for the comparison tests (it was the product's encoder before ProtoJsonEncoder): the JSON form
/// as a JsonObject tree → protobuf wire bytes, as gogo marshals upstream's Go types: fields in number order, non-pointer
/// fields always written (zero when absent), pointer fields only when set, repeated scalars unpacked, map entries
/// sorted by key.
/// </summary>
internal static class TreeEncoder
{
    private static readonly JsonWriterOptions RawJsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static void EncodeEnvelope(JsonObject obj, ProtoMessage message, string apiVersion, string kind, ProtoWriter w)
    {
        w.WriteRaw(ProtoDecoder.Magic);
        w.WriteTag(1, 2);
        var typeMeta = w.BeginLength();
        w.WriteTag(1, 2);
        w.WriteString(message.IsKind ? apiVersion : string.Empty); // types without TypeMeta (WatchEvent) carry none
        w.WriteTag(2, 2);
        w.WriteString(message.IsKind ? kind : string.Empty);
        w.EndLength(typeMeta);
        w.WriteTag(2, 2);
        var raw = w.BeginLength();
        EncodeMessage(obj, message, w, 1);
        w.EndLength(raw);
        w.WriteTag(3, 2);
        w.WriteVarint(0);
        w.WriteTag(4, 2);
        w.WriteVarint(0);
    }

    public static void EncodeMessage(JsonObject? obj, ProtoMessage message, ProtoWriter w, int depth)
    {
        if (depth > ProtoDecoder.MaxDepth)
        {
            throw new ProtobufEncodeException($"protobuf: objects nested deeper than {ProtoDecoder.MaxDepth} levels");
        }

        foreach (var field in message.EncodeOrder)
        {
            if (field.Inline)
            {
                w.WriteTag(field.Number, 2);
                var mark = w.BeginLength();
                EncodeMessage(obj, field.Message!, w, depth + 1);
                w.EndLength(mark);
                continue;
            }

            JsonNode? node = null;
            obj?.TryGetPropertyValue(field.JsonName, out node);
            switch (field.Label)
            {
                case ProtoLabel.Optional:
                    if (node is null)
                    {
                        if (!field.Pointer)
                        {
                            WriteZero(field, w, depth);
                        }
                    }
                    else
                    {
                        WriteValue(field.Number, field.Type, field.Message, node, w, depth, message, field);
                    }

                    break;
                case ProtoLabel.Repeated:
                    if (node is JsonArray array)
                    {
                        foreach (var item in array)
                        {
                            if (item is null)
                            {
                                WriteZeroElement(field, w, depth);
                            }
                            else
                            {
                                WriteValue(field.Number, field.Type, field.Message, item, w, depth, message, field);
                            }
                        }
                    }
                    else if (node is not null)
                    {
                        throw Mismatch(message, field, "an array", node);
                    }

                    break;
                default:
                    if (node is JsonObject map)
                    {
                        WriteMap(field, map, w, depth, message);
                    }
                    else if (node is not null)
                    {
                        throw Mismatch(message, field, "an object", node);
                    }

                    break;
            }
        }
    }

    private static void WriteMap(ProtoField field, JsonObject map, ProtoWriter w, int depth, ProtoMessage message)
    {
        if (map.Count == 0)
        {
            return;
        }

        var entries = ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Rent(map.Count);
        try
        {
            var n = 0;
            foreach (var kv in map)
            {
                entries[n++] = kv;
            }

            if (n > 1)
            {
                Array.Sort(entries, 0, n, KeyComparer.Instance);
            }

            for (var i = 0; i < n; i++)
            {
                var (key, value) = entries[i];
                w.WriteTag(field.Number, 2);
                var mark = w.BeginLength();
                w.WriteTag(1, 2);
                w.WriteString(key);
                if (value is not null)
                {
                    WriteValue(2, field.Type, field.Message, value, w, depth, message, field);
                }
                else if (field.Type != ProtoType.Bytes)
                {
                    WriteZeroAs(2, field, w, depth);
                }

                w.EndLength(mark);
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Return(entries, clearArray: true);
        }
    }

    private static void WriteZero(ProtoField field, ProtoWriter w, int depth)
    {
        if (field.Type == ProtoType.Bytes)
        {
            return; // a nil []byte is not written
        }

        WriteZeroAs(field.Number, field, w, depth);
    }

    private static void WriteZeroElement(ProtoField field, ProtoWriter w, int depth) => WriteZeroAs(field.Number, field, w, depth);

    private static void WriteZeroAs(int number, ProtoField field, ProtoWriter w, int depth)
    {
        switch (field.Type)
        {
            case ProtoType.String:
            case ProtoType.Bytes:
                w.WriteTag(number, 2);
                w.WriteVarint(0);
                return;
            case ProtoType.Bool:
            case ProtoType.Int32:
            case ProtoType.Int64:
                w.WriteTag(number, 0);
                w.WriteVarint(0);
                return;
        }

        var message = field.Message!;
        w.WriteTag(number, 2);
        var mark = w.BeginLength();
        switch (message.Special)
        {
            case SpecialType.Duration:
                w.WriteTag(1, 0);
                w.WriteVarint(0);
                break;
            case SpecialType.Quantity:
                w.WriteTag(1, 2);
                w.WriteString("0");
                break;
            case SpecialType.IntOrString:
                WriteIntOrString(0, 0, string.Empty, w);
                break;
            case SpecialType.None:
                EncodeMessage(null, message, w, depth + 1);
                break;
        }

        w.EndLength(mark);
    }

    private static void WriteValue(int number, ProtoType type, ProtoMessage? valueMessage, JsonNode node, ProtoWriter w, int depth, ProtoMessage message, ProtoField field)
    {
        switch (type)
        {
            case ProtoType.String:
                w.WriteTag(number, 2);
                w.WriteString(GetString(node, message, field));
                return;
            case ProtoType.Bytes:
                var text = GetString(node, message, field);
                var bytes = ArrayPool<byte>.Shared.Rent((text.Length * 3 / 4) + 3);
                try
                {
                    if (!Convert.TryFromBase64String(text, bytes, out var written))
                    {
                        throw new ProtobufEncodeException($"{message.Name}.{field.JsonName}: not valid base64");
                    }

                    w.WriteTag(number, 2);
                    w.WriteBytes(bytes.AsSpan(0, written));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                }

                return;
            case ProtoType.Bool:
                if (node is not JsonValue bv || !bv.TryGetValue<bool>(out var b))
                {
                    throw Mismatch(message, field, "a boolean", node);
                }

                w.WriteTag(number, 0);
                w.WriteVarint(b ? 1UL : 0UL);
                return;
            case ProtoType.Int32:
                var i32 = GetInteger(node, message, field);
                if (i32 is < int.MinValue or > int.MaxValue)
                {
                    throw new ProtobufEncodeException($"{message.Name}.{field.JsonName}: {i32} does not fit in int32");
                }

                w.WriteTag(number, 0);
                w.WriteVarint((ulong)i32);
                return;
            case ProtoType.Int64:
                w.WriteTag(number, 0);
                w.WriteVarint((ulong)GetInteger(node, message, field));
                return;
        }

        w.WriteTag(number, 2);
        var mark = w.BeginLength();
        WriteMessageValue(valueMessage!, node, w, depth + 1, message, field);
        w.EndLength(mark);
    }

    private static void WriteMessageValue(ProtoMessage valueMessage, JsonNode node, ProtoWriter w, int depth, ProtoMessage parent, ProtoField field)
    {
        switch (valueMessage.Special)
        {
            case SpecialType.None:
                if (node is not JsonObject child)
                {
                    throw Mismatch(parent, field, "an object", node);
                }

                EncodeMessage(child, valueMessage, w, depth);
                return;
            case SpecialType.Time:
            case SpecialType.MicroTime:
                var ts = GetString(node, parent, field);
                if (!GoFormats.TryParseTime(ts, out var seconds, out var nanos))
                {
                    throw new ProtobufEncodeException($"{parent.Name}.{field.JsonName}: \"{GoFormats.Short(ts)}\" is not an RFC 3339 time");
                }

                if (valueMessage.Special == SpecialType.Time)
                {
                    nanos = 0; // metav1.Time has second precision in JSON
                }
                else
                {
                    nanos = nanos / 1000 * 1000;
                }

                if (!GoFormats.IsZeroTime(seconds, nanos))
                {
                    w.WriteTag(1, 0);
                    w.WriteVarint((ulong)seconds);
                    w.WriteTag(2, 0);
                    w.WriteVarint((ulong)(long)nanos);
                }

                return;
            case SpecialType.Duration:
                var ds = GetString(node, parent, field);
                if (!GoFormats.TryParseDuration(ds, out var duration))
                {
                    throw new ProtobufEncodeException($"{parent.Name}.{field.JsonName}: \"{GoFormats.Short(ds)}\" is not a duration");
                }

                w.WriteTag(1, 0);
                w.WriteVarint((ulong)duration);
                return;
            case SpecialType.Quantity:
                var q = node is JsonValue qv && qv.GetValueKind() == JsonValueKind.Number ? qv.ToJsonString() : GetString(node, parent, field);
                w.WriteTag(1, 2);
                w.WriteString(q);
                return;
            case SpecialType.IntOrString:
                if (node is JsonValue iv && iv.GetValueKind() == JsonValueKind.Number)
                {
                    var n = GetInteger(node, parent, field);
                    if (n is < int.MinValue or > int.MaxValue)
                    {
                        throw new ProtobufEncodeException($"{parent.Name}.{field.JsonName}: {n} does not fit in int32");
                    }

                    WriteIntOrString(0, (int)n, string.Empty, w);
                }
                else
                {
                    WriteIntOrString(1, 0, GetString(node, parent, field), w);
                }

                return;
            case SpecialType.StringList:
                if (node is not JsonArray items)
                {
                    throw Mismatch(parent, field, "an array", node);
                }

                foreach (var item in items)
                {
                    w.WriteTag(1, 2);
                    w.WriteString(item is null ? string.Empty : GetString(item, parent, field));
                }

                return;
            default: // RawExtension, FieldsV1: the embedded JSON text
                w.WriteTag(1, 2);
                var mark = w.BeginLength();
                WriteJson(node, w);
                w.EndLength(mark);
                return;
        }
    }

    private static void WriteJson(JsonNode node, ProtoWriter w)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, RawJsonOptions))
        {
            node.WriteTo(writer);
        }

        w.WriteRaw(buffer.WrittenSpan);
    }

    private static void WriteIntOrString(long type, int intVal, string strVal, ProtoWriter w)
    {
        w.WriteTag(1, 0);
        w.WriteVarint((ulong)type);
        w.WriteTag(2, 0);
        w.WriteVarint((ulong)(long)intVal);
        w.WriteTag(3, 2);
        w.WriteString(strVal);
    }

    private static string GetString(JsonNode node, ProtoMessage message, ProtoField field)
    {
        if (node is JsonValue v && v.TryGetValue<string>(out var s))
        {
            return s;
        }

        throw Mismatch(message, field, "a string", node);
    }

    private static long GetInteger(JsonNode node, ProtoMessage message, ProtoField field)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue<long>(out var l))
            {
                return l;
            }

            if (v.TryGetValue<int>(out var i))
            {
                return i;
            }

            if (v.TryGetValue<double>(out var d) && Math.Floor(d) == d && d is >= long.MinValue and < 9.2233720368547758e18)
            {
                return (long)d;
            }

            if (v.TryGetValue<uint>(out var ui))
            {
                return ui;
            }

            if (v.TryGetValue<short>(out var sh))
            {
                return sh;
            }

            if (v.TryGetValue<decimal>(out var m) && decimal.Floor(m) == m && m is >= long.MinValue and <= long.MaxValue)
            {
                return (long)m;
            }
        }

        throw Mismatch(message, field, "an integer", node);
    }

    private static ProtobufEncodeException Mismatch(ProtoMessage message, ProtoField field, string expected, JsonNode node)
        => new($"{message.Name}.{field.JsonName}: expected {expected}, got {node.GetValueKind()}");

    private sealed class KeyComparer : IComparer<KeyValuePair<string, JsonNode?>>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(KeyValuePair<string, JsonNode?> x, KeyValuePair<string, JsonNode?> y) => GoFormats.CompareUtf8(x.Key, y.Key);
    }
}
