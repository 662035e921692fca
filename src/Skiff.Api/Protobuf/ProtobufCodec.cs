using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Protobuf;

/// <summary>
/// Converts between Kubernetes protobuf (the "k8s\0" + runtime.Unknown envelope, content type
/// application/vnd.kubernetes.protobuf) and the JSON object form upstream serves, for every built-in kind of
/// Kubernetes 1.32. Schema-driven (the embedded k8s-proto-schema.txt); thread-safe; no state besides the schema.
/// Decoding upstream's bytes gives upstream's JSON (field order, omitempty and null zeros included), and
/// encoding that JSON gives back upstream's bytes exactly.
/// </summary>
public static class ProtobufCodec
{
    internal static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = ProtoJsonDecoder.MaxJsonDepth };

    /// <summary>The protobuf media type.</summary>
    public const string ContentType = "application/vnd.kubernetes.protobuf";

    /// <summary>The media type of a protobuf watch stream (length-prefixed WatchEvent frames).</summary>
    public const string WatchContentType = "application/vnd.kubernetes.protobuf;stream=watch";

    /// <summary>Whether the data starts with the "k8s\0" envelope prefix.</summary>
    public static bool IsEnvelope(ReadOnlySpan<byte> data) => data.StartsWith(ProtoDecoder.Magic);

    /// <summary>
    /// Decodes an envelope to a new JSON object with kind and apiVersion set. Throws
    /// <see cref="ProtobufDecodeException"/> (and nothing else) for any bad input.
    /// </summary>
    public static JsonObject Decode(ReadOnlySpan<byte> envelope) => Decode(envelope, null, null);

    /// <summary>
    /// Decodes an envelope; when its type meta is empty (upstream writes types without TypeMeta, such as
    /// WatchEvent, that way) the object is taken to be <paramref name="defaultApiVersion"/>/<paramref name="defaultKind"/>,
    /// e.g. the kind the request URL names. The object is parsed from the JSON text
    /// <see cref="DecodeToJson"/> writes, lazily like <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>.
    /// </summary>
    public static JsonObject Decode(ReadOnlySpan<byte> envelope, string? defaultApiVersion, string? defaultKind)
    {
        using var buffer = new PooledBufferWriter(Math.Max(256, envelope.Length * 2));
        ProtoJsonDecoder.Transcode(envelope, buffer, defaultApiVersion, defaultKind);
        return JsonNode.Parse(buffer.WrittenSpan, null, ParseOptions)!.AsObject();
    }

    /// <summary>
    /// Writes the JSON text of an envelope (what <see cref="Decode(ReadOnlySpan{byte}, string?, string?)"/> gives,
    /// serialised with relaxed escaping: upstream's property order, omitempty and null zeros, map keys sorted)
    /// straight from the protobuf bytes, without building a tree. Throws <see cref="ProtobufDecodeException"/>
    /// (and nothing else) for bad input; the output then holds a partial text that must be discarded.
    /// </summary>
    public static void DecodeToJson(ReadOnlySpan<byte> envelope, IBufferWriter<byte> output, string? defaultApiVersion = null, string? defaultKind = null)
        => ProtoJsonDecoder.Transcode(envelope, output, defaultApiVersion, defaultKind);

    /// <summary>The JSON text of an envelope as a new array (see <see cref="DecodeToJson"/>).</summary>
    public static byte[] DecodeToJsonBytes(ReadOnlySpan<byte> envelope, string? defaultApiVersion = null, string? defaultKind = null)
    {
        using var buffer = new PooledBufferWriter(Math.Max(256, envelope.Length * 2));
        ProtoJsonDecoder.Transcode(envelope, buffer, defaultApiVersion, defaultKind);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes a JSON object of a built-in kind (apiVersion and kind set) as an envelope. Throws
    /// <see cref="ProtobufEncodeException"/> when the kind has no protobuf message or a value has the wrong type.
    /// </summary>
    public static byte[] Encode(JsonObject obj)
    {
        using var w = new ProtoWriter();
        Encode(obj, w);
        return w.ToArray();
    }

    /// <summary>Encodes an object as the given kind (for types without TypeMeta, such as WatchEvent, whose JSON form
    /// carries no kind).</summary>
    public static byte[] Encode(JsonObject obj, string apiVersion, string kind)
    {
        using var w = new ProtoWriter();
        Encode(obj, apiVersion, kind, w);
        return w.ToArray();
    }

    /// <summary>Encodes into a stream (the envelope, nothing else).</summary>
    public static void Encode(JsonObject obj, Stream output)
    {
        using var w = new ProtoWriter();
        Encode(obj, w);
        output.Write(w.WrittenSpan);
    }

    /// <summary>
    /// Encodes the UTF-8 JSON text of an object of a built-in kind (apiVersion and kind set) as an envelope, in one
    /// pass of a Utf8JsonReader (unusual input — errors, duplicate properties — through a <see cref="JsonDocument"/>). Gives the same bytes as
    /// <see cref="Encode(JsonObject)"/> of the parsed object. Throws <see cref="ProtobufEncodeException"/> when the
    /// text is not a JSON object, the kind has no protobuf message or a value has the wrong type.
    /// </summary>
    public static byte[] EncodeJson(ReadOnlySpan<byte> utf8Json) => EncodeJsonCore(utf8Json, null, null);

    /// <summary>Encodes UTF-8 JSON text as the given kind (for types without TypeMeta, such as WatchEvent).</summary>
    public static byte[] EncodeJson(ReadOnlySpan<byte> utf8Json, string apiVersion, string kind) => EncodeJsonCore(utf8Json, apiVersion, kind);

    /// <summary>Encodes a parsed JSON object (apiVersion and kind set) as an envelope.</summary>
    public static byte[] EncodeJson(JsonElement obj)
    {
        using var w = new ProtoWriter();
        EncodeElement(obj, null, null, w);
        return w.ToArray();
    }

    /// <summary>Whether objects of this apiVersion/kind can be encoded and decoded (built-in kinds only).</summary>
    public static bool CanEncode(string? apiVersion, string? kind) => TryGetMessageFor(apiVersion, kind, out _);

    /// <summary>The protobuf message name of a kind, e.g. ("apps/v1", "Deployment") → k8s.io.api.apps.v1.Deployment.</summary>
    public static bool TryGetMessageFor(string? apiVersion, string? kind, [NotNullWhen(true)] out string? messageName)
    {
        messageName = null;
        if (apiVersion is null || kind is null || !ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            return false;
        }

        messageName = message.Name;
        return true;
    }

    private static byte[] EncodeJsonCore(ReadOnlySpan<byte> utf8Json, string? apiVersion, string? kind)
    {
        using (var sw = new ProtoWriter(Math.Max(256, utf8Json.Length)))
        {
            // One pass over the text; anything it does not handle (errors included) goes through the document below.
            if (ProtoStreamEncoder.TryEncode(utf8Json, apiVersion, kind, sw))
            {
                return sw.ToArray();
            }
        }

        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, utf8Json.Length));
        try
        {
            utf8Json.CopyTo(copy);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(copy.AsMemory(0, utf8Json.Length), ParseOptions);
            }
            catch (JsonException e)
            {
                throw new ProtobufEncodeException("protobuf: not valid JSON: " + e.Message, e);
            }

            using (document)
            {
                using var w = new ProtoWriter(Math.Max(256, utf8Json.Length));
                EncodeElement(document.RootElement, apiVersion, kind, w);
                return w.ToArray();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static readonly JsonWriterOptions TextOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = ProtoJsonDecoder.MaxJsonDepth,
    };

    private static void EncodeViaText(JsonObject obj, ProtoMessage message, string apiVersion, string kind, ProtoWriter w)
    {
        using var buffer = new PooledBufferWriter(4096);
        using (var writer = new Utf8JsonWriter(buffer, TextOptions))
        {
            obj.WriteTo(writer);
        }

        if (ProtoStreamEncoder.TryEncode(buffer.WrittenSpan, apiVersion, kind, w))
        {
            return;
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, ParseOptions);
        ProtoJsonEncoder.EncodeEnvelope(document.RootElement, message, apiVersion, kind, w);
    }

    internal static void EncodeElement(JsonElement obj, string? apiVersion, string? kind, ProtoWriter w)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new ProtobufEncodeException($"protobuf: expected a JSON object, got {obj.ValueKind}");
        }

        apiVersion ??= ProtoJsonEncoder.TopLevelString(obj, "apiVersion"u8);
        kind ??= ProtoJsonEncoder.TopLevelString(obj, "kind"u8);
        if (apiVersion is null || kind is null)
        {
            throw new ProtobufEncodeException("protobuf: the object has no apiVersion or kind");
        }

        if (!ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            throw new ProtobufEncodeException($"protobuf: {kind} ({apiVersion}) has no protobuf message");
        }

        try
        {
            ProtoJsonEncoder.EncodeEnvelope(obj, message, apiVersion, kind, w);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new ProtobufEncodeException("protobuf: object nested too deeply", e);
        }
    }

    internal static void Encode(JsonObject obj, ProtoWriter w)
    {
        var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
        if (apiVersion is null || kind is null)
        {
            throw new ProtobufEncodeException("protobuf: the object has no apiVersion or kind");
        }

        Encode(obj, apiVersion, kind, w);
    }

    internal static void Encode(JsonObject obj, string apiVersion, string kind, ProtoWriter w)
    {
        if (!ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            throw new ProtobufEncodeException($"protobuf: {kind} ({apiVersion}) has no protobuf message");
        }

        try
        {
            // Serialise and encode from the text: for objects parsed lazily and touched a little (the server's case) this
            // is ~3x faster than walking the tree, and about 2x slower for fully built trees (tens of µs per object).
            EncodeViaText(obj, message, apiVersion, kind, w);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new ProtobufEncodeException("protobuf: object nested too deeply", e);
        }
    }
}
