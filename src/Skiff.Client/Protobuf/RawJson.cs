using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Skiff.Api.Protobuf;
using Skiff.Client.Rest;
using Skiff.Api.Serialization;

namespace Skiff.Client.Protobuf;

/// <summary>
/// The JSON text of RawExtension / FieldsV1 values ⇄ <see cref="JsonElement"/>. Parsed elements are immutable, so equal
/// texts (the controller's managedFields of the pods of one ReplicaSet, say) share one element from a small
/// direct-mapped table (<see cref="Slots"/> entries indexed by a hash of the text; a text missed twice in a row replaces
/// the entry, so the table follows what is being decoded, never grows, and does not keep texts seen once; entries are
/// immutable and swapped atomically). Writing gives the text
/// ProtoEncoder gives (minified, relaxed escaping); an element whose raw text is already in that form is copied as is.
/// </summary>
internal static class RawJson
{
    /// <summary>The number of entries of the table.</summary>
    public const int Slots = 1024;

    private const int MaxCachedLength = 8192;

    private static readonly Entry?[] Table = new Entry?[Slots];
    private static readonly uint[] Candidates = new uint[Slots];

    private static readonly JsonWriterOptions RawJsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };


    /// <summary>The element of a JSON text (null for JSON null), as System.Text.Json reads an <see cref="object"/>.</summary>
    public static object? Parse(ReadOnlySpan<byte> raw)
    {
        var hash = Utf8StringCache.Hash(raw);
        var slot = (int)(hash & (Slots - 1));
        var cacheable = raw.Length <= MaxCachedLength;
        if (cacheable && Volatile.Read(ref Table[slot]) is { } entry && raw.SequenceEqual(entry.Key))
        {
            return entry.Value;
        }

        object? result;
        var bytes = raw.ToArray();
        try
        {
            // Invalid UTF-8 and escapes of lone surrogates read as U+FFFD, as Go's decoder reads them (the element's
            // strings would otherwise throw when read).
            using var doc = GoJsonText.NeedsRepair(bytes) ? JsonDocument.Parse(GoJsonText.Repair(bytes).ToArray()) : JsonDocument.Parse(bytes);
            result = doc.RootElement.ValueKind == JsonValueKind.Null ? null : doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException($"protobuf: embedded object is neither protobuf nor valid JSON: {e.Message}", e);
        }

        if (cacheable)
        {
            if (Candidates[slot] == hash)
            {
                Volatile.Write(ref Table[slot], new Entry(bytes, result));
            }
            else
            {
                Candidates[slot] = hash;
            }
        }

        return result;
    }

    /// <summary>Writes a value's JSON text (the model's object: an element, or anything System.Text.Json serializes).</summary>
    public static void Write(object value, ProtoWriter writer)
    {
        if (value is JsonElement element)
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            if (IsMinifiedPlain(raw))
            {
                writer.WriteRaw(raw);
                return;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, RawJsonOptions))
        {
            if (value is JsonElement e)
            {
                e.WriteTo(json);
            }
            else
            {
                JsonSerializer.Serialize(json, value, value.GetType(), KubernetesSerialization.Options);
            }
        }

        writer.WriteRaw(buffer.WrittenSpan);
    }

    /// <summary>
    /// Whether a (valid) JSON text is exactly what a minifying relaxed-escaping writer would write back: no whitespace
    /// outside strings, and strings of printable ASCII with no escapes other than \" and \\.
    /// </summary>
    private static bool IsMinifiedPlain(ReadOnlySpan<byte> raw)
    {
        var inString = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b is < 0x20 or >= 0x7F)
            {
                return false;
            }

            if (inString)
            {
                if (b == '\\')
                {
                    if (i + 1 >= raw.Length || raw[i + 1] is not ((byte)'"' or (byte)'\\'))
                    {
                        return false;
                    }

                    i++;
                }
                else if (b == '"')
                {
                    inString = false;
                }
            }
            else if (b == '"')
            {
                inString = true;
            }
            else if (b == ' ')
            {
                return false;
            }
        }

        return !inString;
    }

    /// <summary>How many entries hold a value (for tests).</summary>
    internal static int Count() => Table.Count(e => e is not null);

    private sealed record Entry(byte[] Key, object? Value);
}
