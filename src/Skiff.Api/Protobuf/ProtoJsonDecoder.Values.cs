using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Skiff.Api.Serialization;

namespace Skiff.Api.Protobuf;

/// <summary>Values: scalars, the special messages (Time, Duration, Quantity, IntOrString, string lists, embedded
/// objects) and zero values.</summary>
internal sealed partial class ProtoJsonDecoder
{
    private void WriteValue(ref ProtoReader reader, ProtoType type, ProtoMessage? message, int depth)
    {
        switch (type)
        {
            case ProtoType.String:
                WriteUtf8(reader.ReadLengthDelimited());
                return;
            case ProtoType.Bytes:
                _w.WriteBase64StringValue(reader.ReadLengthDelimited());
                return;
            case ProtoType.Bool:
                _w.WriteBooleanValue(reader.ReadVarint() != 0);
                return;
            case ProtoType.Int32:
                _w.WriteNumberValue((int)reader.ReadVarint());
                return;
            case ProtoType.Int64:
                _w.WriteNumberValue((long)reader.ReadVarint());
                return;
            default:
                WriteSpecial(reader.ReadLengthDelimited(), message!, depth + 1);
                return;
        }
    }

    /// <summary>A string as Go decodes it: invalid UTF-8 becomes U+FFFD.</summary>
    private void WriteUtf8(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            _w.WriteStringValue(utf8);
        }
        else
        {
            _w.WriteStringValue(GoFormats.Utf8(utf8));
        }
    }

    private void WriteSpecial(ReadOnlySpan<byte> data, ProtoMessage message, int depth)
    {
        switch (message.Special)
        {
            case SpecialType.None:
                Message(data, message, depth);
                return;
            case SpecialType.Time:
            case SpecialType.MicroTime:
                if (data.IsEmpty)
                {
                    _w.WriteNullValue();
                    return;
                }

                ProtoReader.ReadTwoVarints(data, message.Name, out var seconds, out var nanos);
                WriteTime(seconds, message.Special == SpecialType.Time ? 0 : nanos, message.Special == SpecialType.MicroTime);
                return;
            case SpecialType.Duration:
                ProtoReader.ReadTwoVarints(data, message.Name, out var duration, out _);
                _w.WriteStringValue(GoFormats.FormatDuration(duration));
                return;
            case SpecialType.Quantity:
                var q = ReadField1(data, message, out _);
                if (q.IsEmpty)
                {
                    _w.WriteStringValue("0"u8);
                }
                else
                {
                    WriteUtf8(q);
                }

                return;
            case SpecialType.IntOrString:
                WriteIntOrString(data, message);
                return;
            case SpecialType.StringList:
                _w.WriteStartArray();
                var r = new ProtoReader(data);
                while (!r.End)
                {
                    var n = r.ReadTag(out var w);
                    if (n == 1 && w == 2)
                    {
                        WriteUtf8(r.ReadLengthDelimited());
                    }
                    else
                    {
                        r.WrongOrSkip(n, w, 1, message.Name);
                    }
                }

                _w.WriteEndArray();
                return;
            default: // RawExtension, FieldsV1: one bytes field holding JSON or an embedded envelope
                var raw = ReadField1(data, message, out var has);
                if (has)
                {
                    WriteRaw(raw, depth);
                }
                else
                {
                    _w.WriteNullValue();
                }

                return;
        }
    }

    /// <summary>metav1.Time / MicroTime as RFC 3339 in UTC (seconds, or microseconds for MicroTime).</summary>
    private void WriteTime(long seconds, long nanos, bool micro)
    {
        seconds += Math.DivRem(nanos, 1_000_000_000L, out var rem);
        if (rem < 0)
        {
            seconds--;
            rem += 1_000_000_000L;
        }

        if (seconds < -62135596800 || seconds > 253402300799)
        {
            throw new ProtobufDecodeException($"protobuf: time {seconds}s is out of the supported range");
        }

        Span<byte> buf = stackalloc byte[32];
        DateTime.UnixEpoch.AddSeconds(seconds).TryFormat(buf, out var n, "s", System.Globalization.CultureInfo.InvariantCulture);
        if (micro)
        {
            buf[n++] = (byte)'.';
            var micros = rem / 1000;
            for (var i = 5; i >= 0; i--)
            {
                buf[n + i] = (byte)('0' + (int)(micros % 10));
                micros /= 10;
            }

            n += 6;
        }

        buf[n++] = (byte)'Z';
        _w.WriteStringValue(buf[..n]);
    }

    private void WriteIntOrString(ReadOnlySpan<byte> data, ProtoMessage message)
    {
        var r = new ProtoReader(data);
        ulong type = 0;
        var intVal = 0;
        ReadOnlySpan<byte> strVal = default;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            switch (n)
            {
                case 1 when w == 0: type = r.ReadVarint(); break;
                case 2 when w == 0: intVal = (int)r.ReadVarint(); break;
                case 3 when w == 2: strVal = r.ReadLengthDelimited(); break;
                default: r.WrongOrSkip(n, w, 3, message.Name); break;
            }
        }

        switch (type)
        {
            case 0:
                _w.WriteNumberValue(intVal);
                break;
            case 1:
                WriteUtf8(strVal);
                break;
            default:
                throw new ProtobufDecodeException($"protobuf: impossible IntOrString.Type {type}");
        }
    }

    /// <summary>The last field 1 (length-delimited) of a one-field message: Quantity.string, RawExtension.raw.</summary>
    private static ReadOnlySpan<byte> ReadField1(ReadOnlySpan<byte> data, ProtoMessage message, out bool has)
    {
        var r = new ProtoReader(data);
        ReadOnlySpan<byte> result = default;
        has = false;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                result = r.ReadLengthDelimited();
                has = true;
            }
            else
            {
                r.WrongOrSkip(n, w, 1, message.Name);
            }
        }

        return result;
    }

    /// <summary>An embedded object: a "k8s\0" envelope (protobuf watch events) or JSON text, copied token by token.</summary>
    private void WriteRaw(ReadOnlySpan<byte> raw, int depth)
    {
        if (raw.StartsWith(ProtoDecoder.Magic))
        {
            Envelope(raw, depth, null, null);
            return;
        }

        if (raw.IsEmpty)
        {
            _w.WriteNullValue();
            return;
        }

        // Go keeps the bytes and its JSON decoder reads invalid UTF-8 and escapes of lone surrogates as U+FFFD: the text
        // is brought to that form first, so that no string of the result throws when it is read.
        raw = GoJsonText.Repair(raw);
        try
        {
            if (_strict)
            {
                JsonNode.Parse(raw); // the error JsonNode.Parse reports, as before
            }

            if (raw.IndexOf("\\u"u8) >= 0)
            {
                // Escaped text is rewritten by JsonElement.WriteTo, as the tree decoder's output is.
                using var document = JsonDocument.Parse(raw.ToArray());
                document.RootElement.WriteTo(_w);
            }
            else
            {
                CopyJson(raw);
            }
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException($"protobuf: embedded object is neither protobuf nor valid JSON: {e.Message}", e);
        }
    }

    private void CopyJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    _w.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    _w.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    _w.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    _w.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    if (reader.ValueIsEscaped)
                    {
                        _w.WritePropertyName(Unescaped(ref reader));
                    }
                    else
                    {
                        _w.WritePropertyName(reader.ValueSpan); // invalid UTF-8 is written as \uFFFD, as JsonElement.WriteTo does
                    }

                    break;
                case JsonTokenType.String:
                    if (reader.ValueIsEscaped)
                    {
                        _w.WriteStringValue(Unescaped(ref reader));
                    }
                    else
                    {
                        _w.WriteStringValue(reader.ValueSpan);
                    }

                    break;
                case JsonTokenType.Number:
                    _w.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                    _w.WriteBooleanValue(true);
                    break;
                case JsonTokenType.False:
                    _w.WriteBooleanValue(false);
                    break;
                default:
                    _w.WriteNullValue();
                    break;
            }
        }
    }

    /// <summary>An escaped string's bytes, unescaped but not validated (invalid UTF-8 is then written as \uFFFD,
    /// as JsonElement.WriteTo does).</summary>
    private ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (_unescape.Length < reader.ValueSpan.Length)
        {
            _unescape = new byte[Math.Max(reader.ValueSpan.Length, 256)];
        }

        var n = reader.CopyString(_unescape);
        return _unescape.AsSpan(0, n);
    }

    /// <summary>The JSON zero of an absent non-pointer field.</summary>
    private void WriteZero(ProtoField field, int depth)
    {
        if (field.Label != ProtoLabel.Optional)
        {
            _w.WriteNullValue();
            return;
        }

        switch (field.Type)
        {
            case ProtoType.String:
                _w.WriteStringValue(ReadOnlySpan<byte>.Empty);
                break;
            case ProtoType.Bool:
                _w.WriteBooleanValue(false);
                break;
            case ProtoType.Int32:
            case ProtoType.Int64:
                _w.WriteNumberValue(0);
                break;
            case ProtoType.Bytes:
                _w.WriteNullValue();
                break;
            default:
                WriteZeroMessage(field.Message!, depth);
                break;
        }
    }

    private void WriteZeroMessage(ProtoMessage message, int depth)
    {
        switch (message.Special)
        {
            case SpecialType.Duration:
                _w.WriteStringValue("0s"u8);
                break;
            case SpecialType.Quantity:
                _w.WriteStringValue("0"u8);
                break;
            case SpecialType.IntOrString:
                _w.WriteNumberValue(0);
                break;
            case SpecialType.None:
                Message(default, message, depth + 1);
                break;
            default:
                _w.WriteNullValue();
                break;
        }
    }
}
