using System.Text.Json;
using System.Text.Json.Nodes;

using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>
/// The reference decoder (the codec's tree decoder before it transcoded to JSON text), kept as the oracle of the
/// differential tests; map keys now sorted like Go's encoding/json.
/// Protobuf wire bytes → the JSON form upstream's Go types marshal to: fields in Go declaration order, zero
/// scalars of omitempty fields left out, absent non-pointer fields shown as their zero (null for slices, maps
/// and Time), unknown field numbers skipped like gogo's Unmarshal does.
/// </summary>
internal static class TreeDecoder
{
    public const int MaxDepth = ProtoDecoder.MaxDepth;

    public static readonly byte[] Magic = ProtoDecoder.Magic;

    /// <summary>What ProtobufCodec.Decode did: the tree, or a ProtobufDecodeException.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> envelope, string? defaultApiVersion = null, string? defaultKind = null)
    {
        try
        {
            return DecodeEnvelope(envelope, 0, defaultApiVersion, defaultKind);
        }
        catch (ProtobufDecodeException)
        {
            throw;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or OverflowException or JsonException or InsufficientExecutionStackException)
        {
            throw new ProtobufDecodeException("protobuf: malformed object: " + e.Message, e);
        }
    }

    /// <summary>Decodes a "k8s\0" envelope to a JSON object with kind and apiVersion set.</summary>
    public static JsonObject DecodeEnvelope(ReadOnlySpan<byte> data, int depth, string? defaultApiVersion = null, string? defaultKind = null)
    {
        if (!data.StartsWith(Magic))
        {
            throw new ProtobufDecodeException("protobuf: the data does not start with the \"k8s\\x00\" prefix");
        }

        var reader = new ProtoReader(data[Magic.Length..]);
        string apiVersion = string.Empty, kind = string.Empty;
        ReadOnlySpan<byte> raw = default;
        string contentEncoding = string.Empty;
        while (!reader.End)
        {
            var number = reader.ReadTag(out var wire);
            if (number is >= 1 and <= 4 && wire != 2)
            {
                throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {number} of runtime.Unknown");
            }

            switch (number)
            {
                case 1:
                    var typeMeta = new ProtoReader(reader.ReadLengthDelimited());
                    while (!typeMeta.End)
                    {
                        var n = typeMeta.ReadTag(out var w);
                        if (n is 1 or 2 && w == 2)
                        {
                            var s = GoFormats.Utf8(typeMeta.ReadLengthDelimited());
                            if (n == 1)
                            {
                                apiVersion = s;
                            }
                            else
                            {
                                kind = s;
                            }
                        }
                        else if (n is 1 or 2)
                        {
                            throw new ProtobufDecodeException($"protobuf: wrong wire type {w} for field {n} of runtime.TypeMeta");
                        }
                        else
                        {
                            typeMeta.Skip(w, n);
                        }
                    }

                    break;
                case 2:
                    raw = reader.ReadLengthDelimited();
                    break;
                case 3:
                    contentEncoding = GoFormats.Utf8(reader.ReadLengthDelimited());
                    break;
                case 4:
                    reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wire, number);
                    break;
            }
        }

        if (kind.Length == 0 && apiVersion.Length == 0)
        {
            // Objects without TypeMeta (WatchEvent) are written with an empty one; the caller knows the type.
            kind = defaultKind ?? string.Empty;
            apiVersion = defaultApiVersion ?? string.Empty;
        }

        if (kind.Length == 0)
        {
            throw new ProtobufDecodeException("Object 'Kind' is missing in the protobuf envelope");
        }

        if (apiVersion.Length == 0)
        {
            throw new ProtobufDecodeException("Object 'apiVersion' is missing in the protobuf envelope");
        }

        if (contentEncoding.Length > 0)
        {
            throw new ProtobufDecodeException($"protobuf: unsupported content encoding \"{GoFormats.Short(contentEncoding)}\"");
        }

        if (!ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            throw new ProtobufDecodeException($"no kind \"{GoFormats.Short(kind)}\" is registered for version \"{GoFormats.Short(apiVersion)}\"");
        }

        var result = message.IsKind ? new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion } : new JsonObject();
        DecodeInto(raw, message, result, depth + 1);
        return result;
    }

    public static JsonObject DecodeMessage(ReadOnlySpan<byte> data, ProtoMessage message, int depth)
    {
        var obj = new JsonObject();
        DecodeInto(data, message, obj, depth);
        return obj;
    }

    private static void DecodeInto(ReadOnlySpan<byte> data, ProtoMessage message, JsonObject target, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ProtobufDecodeException($"protobuf: objects nested deeper than {MaxDepth} levels");
        }

        var fields = message.Fields;
        var values = fields.Length == 0 ? [] : new JsonNode?[fields.Length];
        var present = fields.Length <= 64 ? 0UL : throw new ProtobufDecodeException($"protobuf: {message.Name} has too many fields");
        (int Start, int Length)[]? inline = message.HasInline ? new (int, int)[fields.Length] : null;
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var number = reader.ReadTag(out var wire);
            var field = message.FieldByNumber(number);
            if (field is null)
            {
                reader.Skip(wire, number);
                continue;
            }

            var i = field.Index;
            switch (field.Label)
            {
                case ProtoLabel.Optional:
                    CheckWire(field, message, wire);
                    if (field.Inline)
                    {
                        var span = reader.ReadLengthDelimited();
                        inline![i] = (reader.Position - span.Length, span.Length);
                    }
                    else
                    {
                        values[i] = ReadValue(ref reader, field.Type, field.Message, depth);
                    }

                    break;
                case ProtoLabel.Repeated:
                    var array = (JsonArray?)values[i] ?? new JsonArray();
                    values[i] = array;
                    if (wire == 2 && field.WireType == 0)
                    {
                        var packed = new ProtoReader(reader.ReadLengthDelimited());
                        while (!packed.End)
                        {
                            array.Add(ReadValue(ref packed, field.Type, null, depth));
                        }
                    }
                    else
                    {
                        CheckWire(field, message, wire);
                        array.Add(ReadValue(ref reader, field.Type, field.Message, depth));
                    }

                    break;
                default:
                    CheckWire(field, message, 2);
                    if (wire != 2)
                    {
                        throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for map field {field.JsonName} of {message.Name}");
                    }

                    var map = (JsonObject?)values[i] ?? new JsonObject();
                    values[i] = map;
                    ReadMapEntry(reader.ReadLengthDelimited(), field, map, depth);
                    break;
            }

            present |= 1UL << i;
        }

        foreach (var field in fields)
        {
            var i = field.Index;
            var has = (present & (1UL << i)) != 0;
            if (field.Inline)
            {
                var (start, length) = has ? inline![i] : (0, 0);
                DecodeInto(data.Slice(start, length), field.Message!, target, depth + 1);
                continue;
            }

            if (has)
            {
                var value = values[i];
                if (field.OmitEmpty && !field.Pointer && field.Label == ProtoLabel.Optional && IsZero(value, field))
                {
                    continue;
                }

                target[field.JsonName] = field.Label == ProtoLabel.Map ? SortMap((JsonObject)value!) : value;
            }
            else if (!field.Pointer && !field.OmitEmpty)
            {
                target[field.JsonName] = ZeroValue(field, depth);
            }
        }
    }

    private static JsonObject SortMap(JsonObject map)
    {
        var entries = map.ToList();
        map.Clear();
        var sorted = new JsonObject();
        foreach (var (key, value) in entries.OrderBy(kv => kv.Key, Comparer<string>.Create(GoFormats.CompareUtf8)))
        {
            sorted[key] = value;
        }

        return sorted;
    }

    private static void CheckWire(ProtoField field, ProtoMessage message, int wire)
    {
        if (wire != field.WireType)
        {
            throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {field.JsonName} ({field.Number}) of {message.Name}");
        }
    }

    private static bool IsZero(JsonNode? value, ProtoField field) => field.Type switch
    {
        ProtoType.String or ProtoType.Bytes => value!.GetValue<string>().Length == 0,
        ProtoType.Bool => !value!.GetValue<bool>(),
        ProtoType.Int32 => value!.GetValue<int>() == 0,
        ProtoType.Int64 => value!.GetValue<long>() == 0,
        _ => field.Message!.Special == SpecialType.StringList && value is JsonArray { Count: 0 },
    };

    private static JsonNode? ZeroValue(ProtoField field, int depth)
    {
        if (field.Label != ProtoLabel.Optional)
        {
            return null;
        }

        return field.Type switch
        {
            ProtoType.String => JsonValue.Create(string.Empty),
            ProtoType.Bool => JsonValue.Create(false),
            ProtoType.Int32 => JsonValue.Create(0),
            ProtoType.Int64 => JsonValue.Create(0L),
            ProtoType.Bytes => null,
            _ => ZeroMessage(field.Message!, depth),
        };
    }

    private static JsonNode? ZeroMessage(ProtoMessage message, int depth) => message.Special switch
    {
        SpecialType.Duration => JsonValue.Create("0s"),
        SpecialType.Quantity => JsonValue.Create("0"),
        SpecialType.IntOrString => JsonValue.Create(0),
        SpecialType.None => DecodeMessage(default, message, depth + 1),
        _ => null,
    };

    private static JsonNode? ReadValue(ref ProtoReader reader, ProtoType type, ProtoMessage? message, int depth)
    {
        switch (type)
        {
            case ProtoType.String:
                return JsonValue.Create(GoFormats.Utf8(reader.ReadLengthDelimited()));
            case ProtoType.Bytes:
                return JsonValue.Create(Convert.ToBase64String(reader.ReadLengthDelimited()));
            case ProtoType.Bool:
                return JsonValue.Create(reader.ReadVarint() != 0);
            case ProtoType.Int32:
                return JsonValue.Create((int)reader.ReadVarint());
            case ProtoType.Int64:
                return JsonValue.Create((long)reader.ReadVarint());
            default:
                return DecodeSpecial(reader.ReadLengthDelimited(), message!, depth + 1);
        }
    }

    private static JsonNode? DecodeSpecial(ReadOnlySpan<byte> data, ProtoMessage message, int depth)
    {
        switch (message.Special)
        {
            case SpecialType.None:
                return DecodeMessage(data, message, depth);
            case SpecialType.Time:
            case SpecialType.MicroTime:
                if (data.IsEmpty)
                {
                    return null;
                }

                long seconds = 0, nanos = 0;
                ReadScalars(data, message, ref seconds, ref nanos);
                if (message.Special == SpecialType.Time)
                {
                    nanos = 0; // upstream's Time.Unmarshal drops nanoseconds
                }

                return JsonValue.Create(GoFormats.FormatTime(seconds, (int)nanos, message.Special == SpecialType.MicroTime));
            case SpecialType.Duration:
                long duration = 0, unused = 0;
                ReadScalars(data, message, ref duration, ref unused);
                return JsonValue.Create(GoFormats.FormatDuration(duration));
            case SpecialType.Quantity:
                var q = ReadString(data, 1, message);
                return JsonValue.Create(q.Length == 0 ? "0" : q);
            case SpecialType.IntOrString:
                return DecodeIntOrString(data, message);
            case SpecialType.StringList:
                var list = new JsonArray();
                var r = new ProtoReader(data);
                while (!r.End)
                {
                    var n = r.ReadTag(out var w);
                    if (n == 1 && w == 2)
                    {
                        list.Add(JsonValue.Create(GoFormats.Utf8(r.ReadLengthDelimited())));
                    }
                    else
                    {
                        WrongOrSkip(ref r, n, w, 1, message.Name);
                    }
                }

                return list;
            default: // RawExtension, FieldsV1: one bytes field holding JSON or an embedded envelope
                var raw = ReadBytes(data, message, out var has);
                return has ? DecodeRaw(raw, depth) : null;
        }
    }

    /// <summary>An embedded object: a "k8s\0" envelope (protobuf watch events) or JSON text.</summary>
    internal static JsonNode? DecodeRaw(ReadOnlySpan<byte> raw, int depth)
    {
        if (raw.StartsWith(Magic))
        {
            return DecodeEnvelope(raw, depth);
        }

        if (raw.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(Skiff.Api.Serialization.GoJsonText.Repair(raw));
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException($"protobuf: embedded object is neither protobuf nor valid JSON: {e.Message}", e);
        }
    }

    private static JsonNode DecodeIntOrString(ReadOnlySpan<byte> data, ProtoMessage message)
    {
        var r = new ProtoReader(data);
        ulong type = 0;
        var intVal = 0;
        var strVal = string.Empty;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            switch (n)
            {
                case 1 when w == 0: type = r.ReadVarint(); break;
                case 2 when w == 0: intVal = (int)r.ReadVarint(); break;
                case 3 when w == 2: strVal = GoFormats.Utf8(r.ReadLengthDelimited()); break;
                default: WrongOrSkip(ref r, n, w, 3, message.Name); break;
            }
        }

        return type switch
        {
            0 => JsonValue.Create(intVal),
            1 => JsonValue.Create(strVal),
            _ => throw new ProtobufDecodeException($"protobuf: impossible IntOrString.Type {type}"),
        };
    }

    private static void ReadScalars(ReadOnlySpan<byte> data, ProtoMessage message, ref long first, ref long second)
    {
        var r = new ProtoReader(data);
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n is 1 or 2 && w == 0)
            {
                var v = r.ReadVarint();
                if (n == 1)
                {
                    first = (long)v;
                }
                else
                {
                    second = (int)v;
                }
            }
            else
            {
                WrongOrSkip(ref r, n, w, 2, message.Name);
            }
        }
    }

    private static string ReadString(ReadOnlySpan<byte> data, int number, ProtoMessage message)
    {
        var r = new ProtoReader(data);
        var result = string.Empty;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == number && w == 2)
            {
                result = GoFormats.Utf8(r.ReadLengthDelimited());
            }
            else
            {
                WrongOrSkip(ref r, n, w, number, message.Name);
            }
        }

        return result;
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, ProtoMessage message, out bool has)
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
                WrongOrSkip(ref r, n, w, 1, message.Name);
            }
        }

        return result;
    }

    private static void WrongOrSkip(ref ProtoReader r, int number, int wire, int maxKnown, string message)
    {
        if (number <= maxKnown)
        {
            throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {number} of {message}");
        }

        r.Skip(wire, number);
    }

    private static void ReadMapEntry(ReadOnlySpan<byte> entry, ProtoField field, JsonObject map, int depth)
    {
        var r = new ProtoReader(entry);
        var key = string.Empty;
        JsonNode? value = null;
        var hasValue = false;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                key = GoFormats.Utf8(r.ReadLengthDelimited());
            }
            else if (n == 2 && w == field.WireType)
            {
                value = ReadValue(ref r, field.Type, field.Message, depth);
                hasValue = true;
            }
            else
            {
                WrongOrSkip(ref r, n, w, 2, "map entry " + field.JsonName);
            }
        }

        if (!hasValue)
        {
            value = field.Type switch
            {
                ProtoType.String or ProtoType.Bytes => JsonValue.Create(string.Empty),
                ProtoType.Bool => JsonValue.Create(false),
                ProtoType.Int32 or ProtoType.Int64 => JsonValue.Create(0),
                _ => ZeroMessage(field.Message!, depth),
            };
        }

        map[key] = value;
    }
}
