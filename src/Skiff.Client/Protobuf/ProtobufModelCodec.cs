using System.Diagnostics.CodeAnalysis;
using k8s;
using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// Kubernetes protobuf (the "k8s\0" envelope) straight to and from KubernetesClient model objects, with no JSON in
/// between, driven by the same schema as <see cref="ProtobufCodec"/>. The result is the one the JSON object path gives
/// (<see cref="ProtobufCodec.Decode(ReadOnlySpan{byte})"/> then System.Text.Json with KubernetesClient's options, and
/// the reverse): decoding gives an object that serializes to the same JSON, encoding gives the same bytes. Thread-safe;
/// the per-type binders are built once. Types it cannot bind (custom resources, <see cref="System.Text.Json.Nodes.JsonObject"/>,
/// types whose properties do not fit the schema) are refused with false, so callers can use the JSON object path.
/// </summary>
public static class ProtobufModelCodec
{
    /// <summary>
    /// Decodes an envelope into a new <typeparamref name="T"/> when the envelope's kind and <typeparamref name="T"/> can be
    /// bound; false (nothing decoded) otherwise. A list kind without items gets an empty Items list.
    /// </summary>
    /// <exception cref="ProtobufDecodeException">The bytes are not a valid envelope of a known kind (the only exception).</exception>
    public static bool TryDecode<T>(ReadOnlySpan<byte> envelope, [MaybeNullWhen(false)] out T result)
    {
        result = default;
        if (!typeof(IKubernetesObject).IsAssignableFrom(typeof(T)) || !typeof(T).IsClass)
        {
            return false;
        }

        try
        {
            var read = ProtoEnvelope.Read(envelope);
            var raw = read.Raw;
            var (apiVersion, kind, message) = (read.ApiVersion, read.Kind, read.Message);
            if (ModelBinders.Get(message, typeof(T)) is not { } binder)
            {
                return false;
            }

            var obj = binder.Create();
            if (message.IsKind)
            {
                var k = (IKubernetesObject)obj;
                k.ApiVersion = apiVersion;
                k.Kind = kind;
            }

            binder.Decode(raw, obj, 1);
            if (kind.EndsWith("List", StringComparison.Ordinal))
            {
                binder.Items?.EnsureList(obj);
            }

            result = (T)obj;
            return true;
        }
        catch (Exception e) when (e is not ProtobufDecodeException and not OutOfMemoryException)
        {
            throw new ProtobufDecodeException("protobuf: malformed object: " + e.Message, e);
        }
    }

    /// <summary>Whether objects of <paramref name="type"/> as <paramref name="apiVersion"/>/<paramref name="kind"/> are
    /// decoded and encoded directly (false: the JSON object path is needed).</summary>
    public static bool CanBind(Type type, string apiVersion, string kind)
        => typeof(IKubernetesObject).IsAssignableFrom(type) && ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message)
           && ModelBinders.Get(message, type) is not null;

    /// <summary>
    /// Encodes a model object (apiVersion and kind set, a built-in kind) as an envelope; false when its type cannot be
    /// bound to the kind's message.
    /// </summary>
    /// <exception cref="ProtobufEncodeException">apiVersion or kind is missing, the kind has no protobuf form, or a value
    /// does not fit its field.</exception>
    public static bool TryEncode(object model, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        using var w = new ProtoWriter(LastSize + 64);
        if (!TryEncode(model, w))
        {
            return false;
        }

        bytes = w.ToArray();
        LastSize = Math.Min(bytes.Length, 1 << 20);
        return true;
    }

    // The size of the last encoded object: the next buffer is rented that big, so a large list is not grown by doubling.
    private static int LastSize = 4096;

    /// <summary>Encodes into a stream; false (nothing written) when the type cannot be bound.</summary>
    public static bool TryEncode(object model, Stream output)
    {
        using var w = new ProtoWriter();
        if (!TryEncode(model, w))
        {
            return false;
        }

        output.Write(w.WrittenSpan);
        return true;
    }

    internal static bool TryEncode(object model, ProtoWriter w)
    {
        if (model is not IKubernetesObject k)
        {
            return false;
        }

        var (apiVersion, kind) = (k.ApiVersion, k.Kind);
        if (apiVersion is null || kind is null)
        {
            throw new ProtobufEncodeException("protobuf: the object has no apiVersion or kind");
        }

        if (!ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            throw new ProtobufEncodeException($"protobuf: {kind} ({apiVersion}) has no protobuf message");
        }

        if (ModelBinders.Get(message, model.GetType()) is not { } binder)
        {
            return false;
        }

        try
        {
            ProtoEnvelope.WriteHead(w, message, apiVersion, kind);
            binder.EncodeNested(model, w, 2, 1);
            ProtoEnvelope.WriteTail(w);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or InsufficientExecutionStackException)
        {
            throw new ProtobufEncodeException("protobuf: " + e.Message, e);
        }
    }
}
