using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Skiff.Api.Protobuf;
using Skiff.Client.Rest;

namespace Skiff.Client.Protobuf;

/// <summary>
/// The JSON text of RawExtension / FieldsV1 values ⇄ <see cref="JsonElement"/>. Parsed elements are immutable, so equal
/// texts (managedFields of the pods of one ReplicaSet, say) share one element from a bounded cache. Writing gives the text
/// ProtoEncoder gives (minified, relaxed escaping); an element whose raw text is already in that form is copied as is.
/// </summary>
internal static class RawJson
{
    private const int MaxCached = 2048;
    private const int MaxCachedLength = 8192;

    private static readonly JsonWriterOptions RawJsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly ConcurrentDictionary<byte[], object?> Cache = new(BytesComparer.Instance);
    private static readonly ConcurrentDictionary<byte[], object?>.AlternateLookup<ReadOnlySpan<byte>> CacheBySpan = Cache.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>The element of a JSON text (null for JSON null), as System.Text.Json reads an <see cref="object"/>.</summary>
    public static object? Parse(ReadOnlySpan<byte> raw)
    {
        if (raw.Length <= MaxCachedLength && CacheBySpan.TryGetValue(raw, out var cached))
        {
            return cached;
        }

        object? result;
        try
        {
            using var doc = JsonDocument.Parse(raw.ToArray());
            result = doc.RootElement.ValueKind == JsonValueKind.Null ? null : doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException($"protobuf: embedded object is neither protobuf nor valid JSON: {e.Message}", e);
        }

        if (raw.Length <= MaxCachedLength && Cache.Count < MaxCached)
        {
            Cache.TryAdd(raw.ToArray(), result);
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

    private sealed class BytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly BytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var h = default(HashCode);
            h.AddBytes(alternate);
            return h.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
