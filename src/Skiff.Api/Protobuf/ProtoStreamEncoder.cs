using System.Text.Json;

namespace Skiff.Api.Protobuf;

/// <summary>
/// UTF-8 JSON text → protobuf envelope in one pass of a <see cref="Utf8JsonReader"/>, giving exactly the bytes of
/// <see cref="ProtoJsonEncoder"/> (which walks a parsed <see cref="JsonDocument"/>). Each field's bytes are written as
/// its property arrives and remembered as a segment of its slot. While properties come in field-number order the zeros
/// of absent non-pointer fields are written between them and the body is final as written; otherwise (and for messages
/// with inline fields) the body is laid out again at the end of the object from the segments (see <see cref="Plan"/>).
/// Map entries are written as they come and reordered by key bytes only when not already sorted.
/// Anything unusual — bad JSON or a value of the wrong type, a duplicate property or map key, an escaped map key with a
/// lone surrogate (or beside a key of invalid UTF-8), an apiVersion/kind after the leading ones, nesting near the limits — makes <see cref="TryEncode"/> give up
/// (returning false, the writer as it was), and the caller then runs <see cref="ProtoJsonEncoder"/>, which gives the
/// result or the exception of record. Thread-safe: each call uses its thread's idle instance (or a new one).
/// </summary>
internal sealed partial class ProtoStreamEncoder
{
    /// <summary>This thread's idle encoder (its stacks and buffers are reused).</summary>
    [ThreadStatic]
    private static ProtoStreamEncoder? t_idle;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = ProtoJsonDecoder.MaxJsonDepth };

    private ProtoWriter _w = null!;
    private int[] _segs = new int[256];
    private int _segTop;
    private bool _validUtf8;
    private byte[] _scratch = [];
    private Utf8JsonWriter? _json;


    /// <summary>Why this thread's last <see cref="TryEncode"/> gave up (for tests).</summary>
    [ThreadStatic]
    internal static Exception? LastGiveUp;

    /// <summary>
    /// Encodes the text as an envelope of apiVersion/kind (when null: the object's own, the last of each; found by a
    /// second scan of the top level when not among its first properties) into <paramref name="w"/>. Returns false, with
    /// <paramref name="w"/> truncated back, when it cannot tell the result is the one <see cref="ProtoJsonEncoder"/>
    /// would give (including every input it rejects).
    /// </summary>
    public static bool TryEncode(ReadOnlySpan<byte> utf8Json, string? apiVersion, string? kind, ProtoWriter w)
    {
        var start = w.Length;
        var encoder = t_idle ?? new ProtoStreamEncoder();
        t_idle = null;
        encoder._w = w;
        encoder._segTop = 0;
        encoder._entryTop = 0;
        try
        {
            encoder.EncodeTop(utf8Json, apiVersion, kind);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LastGiveUp = e;
            w.Truncate(start);
            return false;
        }
        finally
        {
            encoder._w = null!;
            if (encoder._scratch.Length > 1 << 20)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(encoder._scratch);
                encoder._scratch = [];
            }

            t_idle = encoder;
        }
    }

    private static Exception Bail([System.Runtime.CompilerServices.CallerLineNumber] int line = 0) => new GiveUpException(line);

    private void EncodeTop(ReadOnlySpan<byte> utf8Json, string? apiVersion, string? kind)
    {
        var r = new Utf8JsonReader(utf8Json, ReaderOptions);
        _validUtf8 = System.Text.Unicode.Utf8.IsValid(utf8Json); // then so is every unescaped string in it
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            throw Bail();
        }

        var pending = false;
        var explicitType = apiVersion is not null && kind is not null;
        var fromPrefix = !explicitType;
        if (fromPrefix)
        {
            // The type must come first (it does in what the server stores and clients send): the leading apiVersion
            // and kind properties, the last of each winning.
            string? av = null, k = null;
            while (true)
            {
                if (!r.Read())
                {
                    throw Bail();
                }

                if (r.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (r.ValueTextEquals("apiVersion"u8))
                {
                    av = ReadTypeString(ref r);
                }
                else if (r.ValueTextEquals("kind"u8))
                {
                    k = ReadTypeString(ref r);
                }
                else
                {
                    pending = true;
                    break;
                }
            }

            if (pending && (av is null || k is null))
            {
                // Not (both) at the start: find them (the last of each) with a copy of the reader, and read on.
                ScanTypeMeta(r, ref av, ref k);
                fromPrefix = false;
            }

            apiVersion ??= av;
            kind ??= k;
        }

        if (apiVersion is null || kind is null || !ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            throw Bail();
        }

        var plan = Plan.For(message);
        if (explicitType is false && plan.HasTypeMetaNames)
        {
            throw Bail();
        }

        var w = _w;
        ProtoEnvelope.WriteHead(w, message, apiVersion, kind);
        w.WriteTag(2, 2);
        if (r.TokenType == JsonTokenType.EndObject)
        {
            w.WriteBytes(plan.ZeroBody); // only the type: every field absent
        }
        else
        {
            EncodeMessage(ref r, plan, 1, pending, fromPrefix);
        }

        if (r.Read())
        {
            throw Bail(); // (the reader throws for trailing text; this is for safety)
        }

        ProtoEnvelope.WriteTail(w);
    }

    /// <summary>The last top-level apiVersion and kind from the property name at the reader on (a copy).</summary>
    private static void ScanTypeMeta(Utf8JsonReader scan, ref string? apiVersion, ref string? kind)
    {
        while (scan.TokenType != JsonTokenType.EndObject)
        {
            var isApiVersion = scan.ValueTextEquals("apiVersion"u8);
            if (isApiVersion || scan.ValueTextEquals("kind"u8))
            {
                if (!scan.Read())
                {
                    throw Bail();
                }

                var value = scan.TokenType == JsonTokenType.String ? scan.GetString() : null;
                if (isApiVersion)
                {
                    apiVersion = value;
                }
                else
                {
                    kind = value;
                }
            }

            scan.Skip();
            if (!scan.Read())
            {
                throw Bail();
            }
        }
    }

    private static string ReadTypeString(ref Utf8JsonReader r)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.String)
        {
            throw Bail();
        }

        return r.GetString()!;
    }

    /// <summary>
    /// Encodes the object the reader is in (at its StartObject, or with <paramref name="pending"/> at a property name
    /// already read) as a length-delimited body: the length varint, then the fields in number order. Leaves the reader
    /// at the object's EndObject.
    /// </summary>
    private void EncodeMessage(ref Utf8JsonReader r, Plan plan, int depth, bool pending = false, bool typeFromPrefix = false)
    {
        if (depth + plan.InlineDepth > ProtoDecoder.MaxDepth - 1)
        {
            throw Bail();
        }

        var w = _w;
        var reserved = plan.LengthSizeHint;
        var bodyStart = w.BeginLength(reserved);
        var frame = _segTop;
        var size = plan.SlotFields.Length * 2;
        if (_segs.Length < frame + size)
        {
            Array.Resize(ref _segs, Math.Max(_segs.Length * 2, frame + size));
        }

        var segs = _segs.AsSpan(frame, size);
        segs.Clear();
        _segTop = frame + size;
        var ops = plan.Ops;

        // While properties come in field-number order (and the message has no inline fields), the body is written in
        // its final form: before each field the zeros of the absent fields since the previous one. The first property
        // out of order switches to laying the body out again at the end from the recorded segments.
        var ordered = !plan.Message.HasInline;
        var lastRank = -1;
        while (true)
        {
            if (!pending && !r.Read())
            {
                throw Bail();
            }

            pending = false;
            if (r.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var slot = r.ValueIsEscaped ? FindEscaped(ref r, plan) : plan.Find(r.ValueSpan);
            if (slot < 0)
            {
                if (typeFromPrefix && (r.ValueTextEquals("apiVersion"u8) || r.ValueTextEquals("kind"u8)))
                {
                    throw Bail(); // a later apiVersion/kind would change the type
                }

                r.Skip();
                continue;
            }

            if (segs[slot * 2] != 0 || !r.Read())
            {
                throw Bail(); // a duplicate property: the old encoder keeps the last
            }

            if (r.TokenType == JsonTokenType.Null)
            {
                continue; // written as absent
            }

            if (ordered)
            {
                var rank = plan.SlotRank[slot];
                if (rank > lastRank)
                {
                    WriteZeros(ops, lastRank + 1, rank);
                    lastRank = rank;
                }
                else
                {
                    ordered = false;
                }
            }

            var start = w.Length;
            WriteField(ref r, plan.SlotFields[slot], depth + plan.SlotExtraDepth[slot]);
            segs = _segs.AsSpan(frame, size);
            segs[slot * 2] = start;
            segs[(slot * 2) + 1] = w.Length;
        }

        if (ordered)
        {
            WriteZeros(ops, lastRank + 1, ops.Length);
            var length = w.EndLength(bodyStart, reserved);
            plan.LengthSizeHint = ProtoWriter.VarintSize((uint)length);
        }
        else
        {
            Assemble(plan, frame, bodyStart, reserved);
        }

        _segTop = frame;
    }

    private void WriteZeros(Plan.Op[] ops, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (ops[i].AbsentZero is { } zero)
            {
                _w.WriteRaw(zero);
            }
        }
    }

    private static int FindEscaped(ref Utf8JsonReader r, Plan table)
    {
        Span<byte> buffer = stackalloc byte[128];
        if (r.ValueSpan.Length > buffer.Length)
        {
            return -1; // longer than any field name, escaped or not
        }

        var n = r.CopyString(buffer);
        return table.Find(buffer[..n]);
    }

    /// <summary>Rewrites the body written since <paramref name="bodyStart"/> (after <paramref name="reserved"/> bytes
    /// kept for its length) as its length and the fields in number order.</summary>
    private void Assemble(Plan plan, int frame, int bodyStart, int reserved)
    {
        var w = _w;
        var written = w.Length - bodyStart;
        if (_scratch.Length < written)
        {
            if (_scratch.Length > 0)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(written, 4096));
        }

        w.WrittenSpan.Slice(bodyStart, written).CopyTo(_scratch);
        w.Truncate(bodyStart - reserved);
        var segs = _segs.AsSpan(frame, plan.SlotFields.Length * 2);
        var length = Measure(plan, segs, 0);
        w.WriteVarint((ulong)length);
        Emit(plan, segs, 0, bodyStart);
        plan.LengthSizeHint = ProtoWriter.VarintSize((uint)length);
    }

    private static int Measure(Plan plan, ReadOnlySpan<int> segs, int slotBase)
    {
        var length = 0;
        foreach (var op in plan.Ops)
        {
            if (op.Inline is { } inner)
            {
                var n = Measure(inner, segs, slotBase + op.Slot);
                length += ProtoWriter.VarintSize((uint)op.Field.Number << 3) + ProtoWriter.VarintSize((uint)n) + n;
                continue;
            }

            var i = (slotBase + op.Slot) * 2;
            if (segs[i] != 0)
            {
                length += segs[i + 1] - segs[i];
            }
            else if (op.AbsentZero is { } zero)
            {
                length += zero.Length;
            }
        }

        return length;
    }

    private void Emit(Plan plan, ReadOnlySpan<int> segs, int slotBase, int bodyStart)
    {
        var w = _w;
        foreach (var op in plan.Ops)
        {
            if (op.Inline is { } inner)
            {
                w.WriteTag(op.Field.Number, 2);
                w.WriteVarint((ulong)Measure(inner, segs, slotBase + op.Slot));
                Emit(inner, segs, slotBase + op.Slot, bodyStart);
                continue;
            }

            var i = (slotBase + op.Slot) * 2;
            if (segs[i] != 0)
            {
                w.WriteRaw(_scratch.AsSpan(segs[i] - bodyStart, segs[i + 1] - segs[i]));
            }
            else if (op.AbsentZero is { } zero)
            {
                w.WriteRaw(zero);
            }
        }
    }

    /// <summary>Thrown to abandon the streaming encode (the caller falls back to the document encoder).</summary>
    private sealed class GiveUpException(int line) : Exception($"gave up at ProtoStreamEncoder line {line}")
    {
    }
}
