using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Skiff.Api.Protobuf;
using Skiff.Client.Protobuf;

namespace Skiff.Client.Rest;

/// <summary>
/// Kubernetes protobuf for the KubernetesClient model types: directly (<see cref="ProtobufModelCodec"/>) for the
/// built-in kinds' model types, otherwise by way of the JSON object form (model ⇄ <see cref="JsonObject"/> ⇄
/// <see cref="ProtobufCodec"/>), with the same result either way. Only built-in kinds have a protobuf form.
/// </summary>
public static class ProtobufSerialization
{
    /// <summary>Whether <paramref name="obj"/>'s apiVersion/kind has a protobuf form.</summary>
    public static bool CanEncode(IKubernetesObject obj) => ProtobufCodec.CanEncode(obj.ApiVersion, obj.Kind);

    /// <summary>The protobuf envelope of a model object (apiVersion and kind must be set and be a built-in kind).</summary>
    /// <exception cref="ProtobufEncodeException">The kind has no protobuf form or a value does not fit its field.</exception>
    public static byte[] Serialize(object obj)
    {
        if (obj is not JsonObject && ProtobufModelCodec.TryEncode(obj, out var bytes))
        {
            return bytes;
        }

        var node = obj as JsonObject ?? JsonSerializer.SerializeToNode(obj, obj.GetType(), KubernetesSerialization.Options) as JsonObject
            ?? throw new ProtobufEncodeException($"protobuf: {obj.GetType().Name} does not serialize to a JSON object");
        return ProtobufCodec.Encode(node);
    }

    /// <summary>Decodes a protobuf envelope as <typeparamref name="T"/> (a model type, or <see cref="JsonObject"/>).</summary>
    /// <exception cref="ProtobufDecodeException">The bytes are not a valid envelope of a known kind.</exception>
    /// <exception cref="JsonException">The object does not match <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> envelope)
        => ProtobufModelCodec.TryDecode<T>(envelope, out var typed) ? typed : FromObject<T>(ProtobufCodec.Decode(envelope));

    /// <summary>
    /// Converts a decoded object to <typeparamref name="T"/>; a <see cref="JsonObject"/> is returned as it is. An empty
    /// list (protobuf has no way to say "no items" but leaving them out) gets <c>items: []</c>, as the JSON path has.
    /// </summary>
    internal static T FromObject<T>(JsonObject obj)
    {
        if (obj["items"] is null && obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) && k.EndsWith("List", StringComparison.Ordinal))
        {
            obj["items"] = new JsonArray();
        }

        return obj is T same ? same : obj.Deserialize<T>(KubernetesSerialization.Options) ?? throw new JsonException("null object");
    }
}
