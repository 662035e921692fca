using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Skiff.Api.Protobuf;

/// <summary>Values of the JSON encoder: special messages, bytes and maps.</summary>
internal sealed partial class ProtoJsonEncoder
{
    private void WriteMessageValue(ProtoMessage valueMessage, JsonElement node, int depth, ProtoMessage parent, ProtoField field)
    {
        switch (valueMessage.Special)
        {
            case SpecialType.None:
                if (node.ValueKind != JsonValueKind.Object)
                {
                    throw Mismatch(parent, field, "an object", node);
                }

                EncodeMessage(node, valueMessage, depth);
                return;
            case SpecialType.Time:
            case SpecialType.MicroTime:
                var ts = GetString(node, parent, field);
                if (!GoFormats.TryParseTime(ts, out var seconds, out var nanos))
                {
                    throw new ProtobufEncodeException($"{parent.Name}.{field.JsonName}: \"{GoFormats.Short(ts)}\" is not an RFC 3339 time");
                }

                nanos = valueMessage.Special == SpecialType.Time ? 0 : nanos / 1000 * 1000; // Time has second precision in JSON
                if (!GoFormats.IsZeroTime(seconds, nanos))
                {
                    _w.WriteTag(1, 0);
                    _w.WriteVarint((ulong)seconds);
                    _w.WriteTag(2, 0);
                    _w.WriteVarint((ulong)(long)nanos);
                }

                return;
            case SpecialType.Duration:
                var ds = GetString(node, parent, field);
                if (!GoFormats.TryParseDuration(ds, out var duration))
                {
                    throw new ProtobufEncodeException($"{parent.Name}.{field.JsonName}: \"{GoFormats.Short(ds)}\" is not a duration");
                }

                _w.WriteTag(1, 0);
                _w.WriteVarint((ulong)duration);
                return;
            case SpecialType.Quantity:
                _w.WriteTag(1, 2);
                if (node.ValueKind == JsonValueKind.Number)
                {
                    _w.WriteBytes(JsonMarshal.GetRawUtf8Value(node));
                }
                else
                {
                    WriteStringValue(node, parent, field);
                }

                return;
            case SpecialType.IntOrString:
                if (node.ValueKind == JsonValueKind.Number)
                {
                    var n = GetInteger(node, parent, field);
                    if (n is < int.MinValue or > int.MaxValue)
                    {
                        throw new ProtobufEncodeException($"{parent.Name}.{field.JsonName}: {n} does not fit in int32");
                    }

                    WriteIntOrString(0, (int)n, default);
                }
                else
                {
                    WriteIntOrString(1, 0, node, parent, field);
                }

                return;
            case SpecialType.StringList:
                if (node.ValueKind != JsonValueKind.Array)
                {
                    throw Mismatch(parent, field, "an array", node);
                }

                foreach (var item in node.EnumerateArray())
                {
                    _w.WriteTag(1, 2);
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        _w.WriteVarint(0);
                    }
                    else
                    {
                        WriteStringValue(item, parent, field);
                    }
                }

                return;
            default: // RawExtension, FieldsV1: the embedded JSON text
                _w.WriteTag(1, 2);
                var mark = _w.BeginLength();
                if (_json is null)
                {
                    _json = new Utf8JsonWriter(_w, RawJsonOptions);
                }
                else
                {
                    _json.Reset(_w);
                }

                node.WriteTo(_json);
                _json.Flush();
                _w.EndLength(mark);
                return;
        }
    }

    private void WriteIntOrString(long type, int intVal, JsonElement strVal, ProtoMessage? parent = null, ProtoField? field = null)
    {
        _w.WriteTag(1, 0);
        _w.WriteVarint((ulong)type);
        _w.WriteTag(2, 0);
        _w.WriteVarint((ulong)(long)intVal);
        _w.WriteTag(3, 2);
        if (type == 1)
        {
            WriteStringValue(strVal, parent!, field!);
        }
        else
        {
            _w.WriteVarint(0);
        }
    }

    private void WriteBase64(int number, JsonElement node, ProtoMessage message, ProtoField field)
    {
        var text = GetString(node, message, field);
        var bytes = ArrayPool<byte>.Shared.Rent((text.Length * 3 / 4) + 3);
        try
        {
            if (!Convert.TryFromBase64String(text, bytes, out var written))
            {
                throw new ProtobufEncodeException($"{message.Name}.{field.JsonName}: not valid base64");
            }

            _w.WriteTag(number, 2);
            _w.WriteBytes(bytes.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private void WriteMap(ProtoField field, JsonElement map, int depth, ProtoMessage message)
    {
        var count = 0;
        var escaped = false;
        foreach (var p in map.EnumerateObject())
        {
            count++;
            escaped |= JsonMarshal.GetRawUtf8PropertyName(p).IndexOf((byte)'\\') >= 0;
        }

        if (count == 0)
        {
            return;
        }

        var entries = ArrayPool<(JsonProperty Property, string? Key, int Seq)>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var p in map.EnumerateObject())
            {
                entries[n] = (p, escaped ? p.Name : null, n);
                n++;
            }

            if (n > 1)
            {
                Array.Sort(entries, 0, n, escaped ? TextKeyComparer.Instance : RawKeyComparer.Instance);
            }

            for (var i = 0; i < n; i++)
            {
                var (property, key, _) = entries[i];
                if (i + 1 < n && SameKey(property, key, entries[i + 1]))
                {
                    continue; // a duplicate key: the last one wins
                }

                _w.WriteTag(field.Number, 2);
                var mark = _w.BeginLength();
                _w.WriteTag(1, 2);
                if (key is null)
                {
                    _w.WriteBytes(JsonMarshal.GetRawUtf8PropertyName(property));
                }
                else
                {
                    _w.WriteString(key);
                }

                var value = property.Value;
                if (value.ValueKind != JsonValueKind.Null)
                {
                    WriteValue(2, field.Type, field.Message, value, depth, message, field);
                }
                else if (field.Type != ProtoType.Bytes)
                {
                    WriteZeroAs(2, field);
                }

                _w.EndLength(mark);
            }
        }
        finally
        {
            ArrayPool<(JsonProperty, string?, int)>.Shared.Return(entries, clearArray: true);
        }
    }

    private static bool SameKey(JsonProperty property, string? key, (JsonProperty Property, string? Key, int Seq) next)
        => key is null
            ? JsonMarshal.GetRawUtf8PropertyName(property).SequenceEqual(JsonMarshal.GetRawUtf8PropertyName(next.Property))
            : key == next.Key;

    /// <summary>Unescaped names: bytewise UTF-8 order (Go's sort.Strings), then document order.</summary>
    private sealed class RawKeyComparer : IComparer<(JsonProperty Property, string? Key, int Seq)>
    {
        public static readonly RawKeyComparer Instance = new();

        public int Compare((JsonProperty Property, string? Key, int Seq) x, (JsonProperty Property, string? Key, int Seq) y)
        {
            var c = JsonMarshal.GetRawUtf8PropertyName(x.Property).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(y.Property));
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }

    private sealed class TextKeyComparer : IComparer<(JsonProperty Property, string? Key, int Seq)>
    {
        public static readonly TextKeyComparer Instance = new();

        public int Compare((JsonProperty Property, string? Key, int Seq) x, (JsonProperty Property, string? Key, int Seq) y)
        {
            var c = GoFormats.CompareUtf8(x.Key, y.Key);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }
}
