using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Skiff.Api.Protobuf;

/// <summary>Values of the streaming encoder: scalars, lists, special messages and the embedded JSON of RawExtension.</summary>
internal sealed partial class ProtoStreamEncoder
{
    private static readonly JsonWriterOptions RawJsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>A field's value (not null), the reader at its first token; leaves the reader at its last token.</summary>
    private void WriteField(ref Utf8JsonReader r, ProtoField field, int depth)
    {
        switch (field.Label)
        {
            case ProtoLabel.Optional:
                WriteValue(ref r, field.Number, field, depth);
                return;
            case ProtoLabel.Repeated:
                if (r.TokenType != JsonTokenType.StartArray)
                {
                    throw Bail();
                }

                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType == JsonTokenType.Null)
                    {
                        WriteZero(field.Number, field);
                    }
                    else
                    {
                        WriteValue(ref r, field.Number, field, depth);
                    }
                }

                return;
            default:
                if (r.TokenType != JsonTokenType.StartObject)
                {
                    throw Bail();
                }

                WriteMap(ref r, field, depth);
                return;
        }
    }

    private void WriteZero(int number, ProtoField field)
    {
        _w.WriteTag(number, field.WireType);
        _w.WriteRaw(ProtoZero.Payload(field));
    }

    private void WriteValue(ref Utf8JsonReader r, int number, ProtoField field, int depth)
    {
        var w = _w;
        switch (field.Type)
        {
            case ProtoType.String:
                w.WriteTag(number, 2);
                WriteStringToken(ref r);
                return;
            case ProtoType.Bytes:
                WriteBase64(ref r, number);
                return;
            case ProtoType.Bool:
                if (r.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    throw Bail();
                }

                w.WriteTag(number, 0);
                w.WriteVarint(r.TokenType == JsonTokenType.True ? 1UL : 0UL);
                return;
            case ProtoType.Int32:
                var i32 = GetInteger(ref r);
                if (i32 is < int.MinValue or > int.MaxValue)
                {
                    throw Bail();
                }

                w.WriteTag(number, 0);
                w.WriteVarint((ulong)i32);
                return;
            case ProtoType.Int64:
                var i64 = GetInteger(ref r);
                w.WriteTag(number, 0);
                w.WriteVarint((ulong)i64);
                return;
        }

        w.WriteTag(number, 2);
        var message = field.Message!;
        if (message.Special == SpecialType.None)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw Bail();
            }

            EncodeMessage(ref r, Plan.For(message), depth + 1);
            return;
        }

        var mark = w.BeginLength();
        WriteSpecial(ref r, message.Special);
        w.EndLength(mark);
    }

    private void WriteSpecial(ref Utf8JsonReader r, SpecialType special)
    {
        var w = _w;
        switch (special)
        {
            case SpecialType.Time:
            case SpecialType.MicroTime:
                if (r.TokenType != JsonTokenType.String || !GoFormats.TryParseTime(r.GetString()!, out var seconds, out var nanos))
                {
                    throw Bail();
                }

                nanos = special == SpecialType.Time ? 0 : nanos / 1000 * 1000;
                if (!GoFormats.IsZeroTime(seconds, nanos))
                {
                    w.WriteTag(1, 0);
                    w.WriteVarint((ulong)seconds);
                    w.WriteTag(2, 0);
                    w.WriteVarint((ulong)(long)nanos);
                }

                return;
            case SpecialType.Duration:
                if (r.TokenType != JsonTokenType.String || !GoFormats.TryParseDuration(r.GetString()!, out var duration))
                {
                    throw Bail();
                }

                w.WriteTag(1, 0);
                w.WriteVarint((ulong)duration);
                return;
            case SpecialType.Quantity:
                w.WriteTag(1, 2);
                if (r.TokenType == JsonTokenType.Number)
                {
                    w.WriteBytes(r.ValueSpan);
                }
                else
                {
                    WriteStringToken(ref r);
                }

                return;
            case SpecialType.IntOrString:
                if (r.TokenType == JsonTokenType.Number)
                {
                    var n = GetInteger(ref r);
                    if (n is < int.MinValue or > int.MaxValue)
                    {
                        throw Bail();
                    }

                    w.WriteTag(1, 0);
                    w.WriteVarint(0);
                    w.WriteTag(2, 0);
                    w.WriteVarint((ulong)n);
                    w.WriteTag(3, 2);
                    w.WriteVarint(0);
                }
                else
                {
                    w.WriteTag(1, 0);
                    w.WriteVarint(1);
                    w.WriteTag(2, 0);
                    w.WriteVarint(0);
                    w.WriteTag(3, 2);
                    WriteStringToken(ref r);
                }

                return;
            case SpecialType.StringList:
                if (r.TokenType != JsonTokenType.StartArray)
                {
                    throw Bail();
                }

                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    w.WriteTag(1, 2);
                    if (r.TokenType == JsonTokenType.Null)
                    {
                        w.WriteVarint(0);
                    }
                    else
                    {
                        WriteStringToken(ref r);
                    }
                }

                return;
            default: // RawExtension, FieldsV1: the embedded JSON text, minified as JsonElement.WriteTo writes it
                w.WriteTag(1, 2);
                var mark = w.BeginLength();
                var from = r; // a copy: the JSON is read again by the writer when it is not plain enough to copy
                var at = w.Length;
                if (!TryCopyPlainJson(ref r))
                {
                    w.Truncate(at);
                    r = from;
                    CopyJson(ref r);
                }

                w.EndLength(mark);
                return;
        }
    }

    /// <summary>A string token as UTF-8: the raw bytes when unescaped, else the decoded text (as the old encoder).</summary>
    private void WriteStringToken(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            throw Bail();
        }

        var raw = r.ValueSpan;
        if (!r.ValueIsEscaped && (_validUtf8 || Utf8.IsValid(raw)))
        {
            _w.WriteBytes(raw);
        }
        else
        {
            _w.WriteString(r.GetString()!);
        }
    }

    private void WriteBase64(ref Utf8JsonReader r, int number)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            throw Bail();
        }

        var text = r.GetString()!;
        var bytes = ArrayPool<byte>.Shared.Rent((text.Length * 3 / 4) + 3);
        try
        {
            if (!Convert.TryFromBase64String(text, bytes, out var written))
            {
                throw Bail();
            }

            _w.WriteTag(number, 2);
            _w.WriteBytes(bytes.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static long GetInteger(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            if (r.TryGetInt64(out var l))
            {
                return l;
            }

            if (r.TryGetDouble(out var d) && Math.Floor(d) == d && d is >= long.MinValue and < 9.2233720368547758e18)
            {
                return (long)d;
            }

            if (r.TryGetDecimal(out var m) && decimal.Floor(m) == m && m is >= long.MinValue and <= long.MaxValue)
            {
                return (long)m;
            }
        }

        throw Bail();
    }

    /// <summary>
    /// Copies the value at the reader as minified JSON from its tokens' own bytes, when that gives what
    /// <see cref="CopyJson"/> writes: every string and name printable ASCII with no escapes but \" and \\ (the only
    /// ones the relaxed encoder writes for such text). Returns false, partly written, at the first other token.
    /// </summary>
    private bool TryCopyPlainJson(ref Utf8JsonReader r)
    {
        var w = _w;
        var level = 0;
        var comma = false;
        while (true)
        {
            var token = r.TokenType;
            if (comma && token is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
            {
                w.WriteRaw(","u8);
            }

            switch (token)
            {
                case JsonTokenType.StartObject:
                    w.WriteRaw("{"u8);
                    level++;
                    comma = false;
                    break;
                case JsonTokenType.StartArray:
                    w.WriteRaw("["u8);
                    level++;
                    comma = false;
                    break;
                case JsonTokenType.EndObject:
                    w.WriteRaw("}"u8);
                    level--;
                    comma = true;
                    break;
                case JsonTokenType.EndArray:
                    w.WriteRaw("]"u8);
                    level--;
                    comma = true;
                    break;
                case JsonTokenType.PropertyName:
                case JsonTokenType.String:
                    var raw = r.ValueSpan;
                    if (raw.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0 || (r.ValueIsEscaped && !PlainEscapes(raw)))
                    {
                        return false;
                    }

                    w.WriteRaw("\""u8);
                    w.WriteRaw(raw);
                    w.WriteRaw(token == JsonTokenType.PropertyName ? "\":"u8 : "\""u8);
                    comma = token == JsonTokenType.String;
                    break;
                case JsonTokenType.Number:
                case JsonTokenType.True:
                case JsonTokenType.False:
                case JsonTokenType.Null:
                    w.WriteRaw(r.ValueSpan);
                    comma = true;
                    break;
                default:
                    return false;
            }

            if (level == 0)
            {
                return true;
            }

            if (!r.Read())
            {
                throw Bail();
            }
        }
    }

    /// <summary>Whether the only escapes of a raw string are \" and \\.</summary>
    private static bool PlainEscapes(ReadOnlySpan<byte> raw)
    {
        var i = raw.IndexOf((byte)'\\');
        while (i >= 0)
        {
            if (i + 1 >= raw.Length || raw[i + 1] is not ((byte)'"' or (byte)'\\'))
            {
                return false;
            }

            raw = raw[(i + 2)..];
            i = raw.IndexOf((byte)'\\');
        }

        return true;
    }

    /// <summary>Re-writes the value at the reader (any JSON) minified, leaving the reader at its last token.</summary>
    private void CopyJson(ref Utf8JsonReader r)
    {
        if (_json is null)
        {
            _json = new Utf8JsonWriter(_w, RawJsonOptions);
        }
        else
        {
            _json.Reset(_w);
        }

        var json = _json;
        var level = 0;
        while (true)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject:
                    json.WriteStartObject();
                    level++;
                    break;
                case JsonTokenType.StartArray:
                    json.WriteStartArray();
                    level++;
                    break;
                case JsonTokenType.EndObject:
                    json.WriteEndObject();
                    level--;
                    break;
                case JsonTokenType.EndArray:
                    json.WriteEndArray();
                    level--;
                    break;
                case JsonTokenType.PropertyName:
                    if (r.ValueIsEscaped)
                    {
                        json.WritePropertyName(Unescaped(ref r));
                    }
                    else
                    {
                        json.WritePropertyName(r.ValueSpan);
                    }

                    break;
                case JsonTokenType.String:
                    if (r.ValueIsEscaped)
                    {
                        json.WriteStringValue(Unescaped(ref r));
                    }
                    else
                    {
                        json.WriteStringValue(r.ValueSpan);
                    }

                    break;
                case JsonTokenType.Number:
                    json.WriteRawValue(r.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                    json.WriteBooleanValue(true);
                    break;
                case JsonTokenType.False:
                    json.WriteBooleanValue(false);
                    break;
                case JsonTokenType.Null:
                    json.WriteNullValue();
                    break;
                default:
                    throw Bail();
            }

            if (level == 0)
            {
                break;
            }

            if (!r.Read())
            {
                throw Bail();
            }
        }

        json.Flush();
    }

    private static byte[] Unescaped(ref Utf8JsonReader r)
    {
        var buffer = new byte[r.ValueSpan.Length];
        var n = r.CopyString(buffer);
        return buffer.AsSpan(0, n).ToArray();
    }
}
