using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Skiff.Api.Protobuf;

/// <summary>
/// Protobuf wire bytes → the UTF-8 JSON text upstream's Go types marshal to, written straight to a
/// <see cref="Utf8JsonWriter"/> without building a tree: fields in Go declaration order, zero scalars of omitempty
/// fields left out, absent non-pointer fields shown as their zero (null for slices, maps and Time), inline fields
/// merged into the parent, map keys sorted bytewise (last duplicate wins), unknown field numbers skipped.
/// </summary>
/// <remarks>
/// Each message is read twice: one scan of its tags records, per field, the first and last occurrence (and checks
/// wire types and lengths); then the fields are written in declaration order from those positions (repeated and map
/// fields are re-scanned from their first occurrence). When anything fails, the input is decoded again in strict
/// mode, which checks every value in wire order like the tree decoder did, so the reported error is the first one
/// on the wire.
/// </remarks>
internal sealed partial class ProtoJsonDecoder
{
    /// <summary>Writer options of the JSON text: the server's relaxed escaping; deep enough for any accepted input.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = MaxJsonDepth,
    };

    /// <summary>Deepest JSON the decoder can produce (messages, lists and embedded JSON, all limited).</summary>
    public const int MaxJsonDepth = 1024;

    private static readonly JsonEncodedText KindName = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText ApiVersionName = JsonEncodedText.Encode("apiVersion");

    private readonly bool _strict;
    private Utf8JsonWriter _w;
    private Utf8JsonWriter? _scratch;
    private byte[] _unescape = [];

    private ProtoJsonDecoder(Utf8JsonWriter w, bool strict)
    {
        _w = w;
        _strict = strict;
    }

    /// <summary>Writes the JSON text of an envelope. Throws <see cref="ProtobufDecodeException"/> (only) for bad
    /// input, after which the output holds a partial text that must be discarded.</summary>
    public static void Transcode(ReadOnlySpan<byte> envelope, IBufferWriter<byte> output, string? defaultApiVersion, string? defaultKind, int depth = 0)
    {
        try
        {
            using var w = new Utf8JsonWriter(output, WriterOptions);
            var decoder = new ProtoJsonDecoder(w, strict: false);
            try
            {
                decoder.Envelope(envelope, depth, defaultApiVersion, defaultKind);
            }
            finally
            {
                decoder._scratch?.Dispose();
            }

            w.Flush();
        }
        catch (Exception fast) when (IsInputError(fast))
        {
            // Find the error the wire order gives first (what the reader of the message would report).
            var sink = new ArrayBufferWriter<byte>();
            try
            {
                using var w = new Utf8JsonWriter(sink, WriterOptions);
                new ProtoJsonDecoder(w, strict: true).Envelope(envelope, depth, defaultApiVersion, defaultKind);
            }
            catch (Exception strict) when (IsInputError(strict))
            {
                throw Wrap(strict);
            }

            throw Wrap(fast);
        }
    }

    /// <summary>Writes the JSON object of one bare message (no envelope); for tests and tools.</summary>
    internal static void TranscodeMessage(ReadOnlySpan<byte> data, ProtoMessage message, IBufferWriter<byte> output)
    {
        using var w = new Utf8JsonWriter(output, WriterOptions);
        new ProtoJsonDecoder(w, strict: false).Message(data, message, 0);
    }

    private static bool IsInputError(Exception e) => e is ProtobufDecodeException or FormatException or InvalidOperationException
        or ArgumentException or OverflowException or JsonException or InsufficientExecutionStackException;

    private static ProtobufDecodeException Wrap(Exception e) => e as ProtobufDecodeException
        ?? new ProtobufDecodeException("protobuf: malformed object: " + e.Message, e);

    private Utf8JsonWriter Scratch => _scratch ??= new Utf8JsonWriter(new ArrayBufferWriter<byte>(), WriterOptions);

    private void Envelope(ReadOnlySpan<byte> data, int depth, string? defaultApiVersion, string? defaultKind)
    {
        var envelope = ProtoEnvelope.Read(data, defaultApiVersion, defaultKind);
        _w.WriteStartObject();
        if (envelope.Message.IsKind)
        {
            _w.WriteString(KindName, envelope.Kind);
            _w.WriteString(ApiVersionName, envelope.ApiVersion);
        }

        Fields(envelope.Raw, envelope.Message, depth + 1);
        _w.WriteEndObject();
    }

    private void Message(ReadOnlySpan<byte> data, ProtoMessage message, int depth)
    {
        _w.WriteStartObject();
        Fields(data, message, depth);
        _w.WriteEndObject();
    }

    /// <summary>Writes the properties of one message (into the object already open).</summary>
    private void Fields(ReadOnlySpan<byte> data, ProtoMessage message, int depth)
    {
        if (depth > ProtoDecoder.MaxDepth)
        {
            throw new ProtobufDecodeException($"protobuf: objects nested deeper than {ProtoDecoder.MaxDepth} levels");
        }

        var fields = message.Fields;
        if (fields.Length > 64)
        {
            throw new ProtobufDecodeException($"protobuf: {message.Name} has too many fields");
        }

        Span<int> slots = stackalloc int[fields.Length * 3];
        var first = slots[..fields.Length]; // tag offset of the first occurrence
        var last = slots.Slice(fields.Length, fields.Length); // value offset of the last occurrence
        var count = slots[(2 * fields.Length)..];
        count.Clear();
        Scan(data, message, depth, first, last, count);

        foreach (var field in fields)
        {
            var i = field.Index;
            var c = count[i];
            if (field.Inline)
            {
                Fields(c > 0 ? LengthDelimitedAt(data, last[i]) : default, field.Message!, depth + 1);
                continue;
            }

            if (c == 0)
            {
                if (!field.Pointer && !field.OmitEmpty)
                {
                    _w.WritePropertyName(field.EncodedName);
                    WriteZero(field, depth);
                }

                continue;
            }

            switch (field.Label)
            {
                case ProtoLabel.Optional:
                    if (c > 1 && !_strict)
                    {
                        ValidateEarlier(data, first[i], c - 1, field, depth);
                    }

                    var value = new ProtoReader(data[last[i]..]);
                    if (field.OmitEmpty && !field.Pointer && IsZero(value, field))
                    {
                        continue;
                    }

                    _w.WritePropertyName(field.EncodedName);
                    WriteValue(ref value, field.Type, field.Message, depth);
                    break;
                case ProtoLabel.Repeated:
                    _w.WritePropertyName(field.EncodedName);
                    WriteList(data, first[i], c, field, depth);
                    break;
                default:
                    WriteMap(data, first[i], c, field, depth);
                    break;
            }
        }
    }

    /// <summary>The first pass over a message: wire types, lengths and occurrence positions (strict: and every
    /// value, in wire order).</summary>
    private void Scan(ReadOnlySpan<byte> data, ProtoMessage message, int depth, Span<int> first, Span<int> last, Span<int> count)
    {
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var tagAt = reader.Position;
            var number = reader.ReadTag(out var wire);
            var field = message.FieldByNumber(number);
            if (field is null)
            {
                reader.Skip(wire, number);
                continue;
            }

            var valueAt = reader.Position;
            switch (field.Label)
            {
                case ProtoLabel.Optional:
                    CheckWire(field, message, wire);
                    if (_strict && !field.Inline)
                    {
                        WriteValue(ref reader, field.Type, field.Message, depth);
                    }
                    else
                    {
                        SkipValue(ref reader, wire);
                    }

                    break;
                case ProtoLabel.Repeated:
                    if (wire == 2 && field.WireType == 0)
                    {
                        var packed = reader.ReadLengthDelimited();
                        if (_strict)
                        {
                            var p = new ProtoReader(packed);
                            while (!p.End)
                            {
                                WriteValue(ref p, field.Type, null, depth);
                            }
                        }
                    }
                    else
                    {
                        CheckWire(field, message, wire);
                        if (_strict)
                        {
                            WriteValue(ref reader, field.Type, field.Message, depth);
                        }
                        else
                        {
                            SkipValue(ref reader, wire);
                        }
                    }

                    break;
                default:
                    CheckWire(field, message, 2);
                    if (wire != 2)
                    {
                        throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for map field {field.JsonName} of {message.Name}");
                    }

                    var entry = reader.ReadLengthDelimited();
                    if (_strict)
                    {
                        ValidateMapEntry(entry, field, depth);
                    }

                    break;
            }

            var i = field.Index;
            if (count[i]++ == 0)
            {
                first[i] = tagAt;
            }

            last[i] = valueAt;
        }
    }

    private void WriteList(ReadOnlySpan<byte> data, int from, int count, ProtoField field, int depth)
    {
        _w.WriteStartArray();
        var reader = new ProtoReader(data[from..]);
        for (var seen = 0; seen < count;)
        {
            var number = reader.ReadTag(out var wire);
            if (number != field.Number)
            {
                reader.Skip(wire, number);
                continue;
            }

            seen++;
            if (wire == 2 && field.WireType == 0)
            {
                var packed = new ProtoReader(reader.ReadLengthDelimited());
                while (!packed.End)
                {
                    WriteValue(ref packed, field.Type, null, depth);
                }
            }
            else
            {
                WriteValue(ref reader, field.Type, field.Message, depth);
            }
        }

        _w.WriteEndArray();
    }

    /// <summary>Decodes (into a scratch writer) the occurrences of an optional field that a later one replaces, so
    /// that a bad value is rejected wherever it is, as gogo's Unmarshal does.</summary>
    private void ValidateEarlier(ReadOnlySpan<byte> data, int from, int count, ProtoField field, int depth)
    {
        var saved = _w;
        _w = Scratch;
        try
        {
            var reader = new ProtoReader(data[from..]);
            for (var seen = 0; seen < count;)
            {
                var number = reader.ReadTag(out var wire);
                if (number != field.Number)
                {
                    reader.Skip(wire, number);
                    continue;
                }

                seen++;
                if (field.Inline)
                {
                    reader.ReadLengthDelimited();
                }
                else
                {
                    WriteValue(ref reader, field.Type, field.Message, depth);
                }
            }
        }
        finally
        {
            _w = saved;
        }
    }

    private static ReadOnlySpan<byte> LengthDelimitedAt(ReadOnlySpan<byte> data, int offset)
    {
        var reader = new ProtoReader(data[offset..]);
        return reader.ReadLengthDelimited();
    }

    private static void SkipValue(ref ProtoReader reader, int wire)
    {
        if (wire == 0)
        {
            reader.ReadVarint();
        }
        else
        {
            reader.ReadLengthDelimited();
        }
    }

    private static void CheckWire(ProtoField field, ProtoMessage message, int wire)
    {
        if (wire != field.WireType)
        {
            throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {field.JsonName} ({field.Number}) of {message.Name}");
        }
    }

    /// <summary>Whether an omitempty value is Go's zero (left out of the JSON form).</summary>
    private static bool IsZero(ProtoReader value, ProtoField field)
    {
        switch (field.Type)
        {
            case ProtoType.String:
            case ProtoType.Bytes:
                return value.ReadLengthDelimited().IsEmpty;
            case ProtoType.Bool:
            case ProtoType.Int64:
                return value.ReadVarint() == 0;
            case ProtoType.Int32:
                return (int)value.ReadVarint() == 0;
        }

        if (field.Message!.Special != SpecialType.StringList)
        {
            return false;
        }

        var list = new ProtoReader(value.ReadLengthDelimited());
        var items = 0;
        while (!list.End)
        {
            var n = list.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                list.ReadLengthDelimited();
                items++;
            }
            else
            {
                list.WrongOrSkip(n, w, 1, field.Message.Name);
            }
        }

        return items == 0;
    }
}
