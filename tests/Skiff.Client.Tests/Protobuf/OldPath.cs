using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Skiff.Client.Protobuf;
using Skiff.Client.Rest;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>The JSON object path (protobuf ⇄ JsonObject ⇄ model) the typed codec must agree with, and typed calls by
/// runtime type.</summary>
internal static class OldPath
{
    public static object Decode(byte[] pb, Type type)
    {
        var obj = ProtobufCodec.Decode(pb);
        if (obj["items"] is null && obj["kind"]?.GetValue<string>() is { } k && k.EndsWith("List", StringComparison.Ordinal))
        {
            obj["items"] = new JsonArray();
        }

        return obj.Deserialize(type, KubernetesSerialization.Options) ?? throw new JsonException("null");
    }

    public static byte[] Encode(object model)
        => ProtobufCodec.Encode((JsonObject)JsonSerializer.SerializeToNode(model, model.GetType(), KubernetesSerialization.Options)!);

    /// <summary>The model's JSON with every object's keys sorted: a Dictionary keeps wire order while the JSON object path
    /// sorts map keys like Go's encoding/json, and model properties come in declaration order either way.</summary>
    public static string Json(object model) => Sorted(JsonSerializer.SerializeToNode(model, model.GetType(), KubernetesSerialization.Options))?.ToJsonString() ?? "null";

    private static System.Text.Json.Nodes.JsonNode? Sorted(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => new System.Text.Json.Nodes.JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value?.DeepClone())))),
        System.Text.Json.Nodes.JsonArray a => new System.Text.Json.Nodes.JsonArray(a.Select(i => Sorted(i?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>ProtobufModelCodec.TryDecode&lt;type&gt;; null when the type is not bound.</summary>
    public static object? TypedDecode(byte[] pb, Type type)
        => typeof(OldPath).GetMethod(nameof(TypedDecodeOf), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, System.Reflection.BindingFlags.DoNotWrapExceptions, null, [pb], null);

    public static byte[]? TypedEncode(object model) => ProtobufModelCodec.TryEncode(model, out var bytes) ? bytes : null;

    private static object? TypedDecodeOf<T>(byte[] pb) => ProtobufModelCodec.TryDecode<T>(pb, out var result) ? result : null;
}
