using System.Text.Json;
using k8s;

namespace Skiff.Client.Rest;

/// <summary>
/// JSON (de)serialization of Kubernetes objects with the KubernetesClient models' settings (camelCase, nulls omitted,
/// RFC 3339 times, quantities, int-or-string). <see cref="System.Text.Json.Nodes.JsonObject"/> and
/// <see cref="JsonElement"/> pass through unchanged.
/// </summary>
public static class KubernetesSerialization
{
    private static readonly Lazy<JsonSerializerOptions> LazyOptions = new(() =>
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
    });

    /// <summary>The options (shared; do not mutate).</summary>
    public static JsonSerializerOptions Options => LazyOptions.Value;

    public static byte[] SerializeToUtf8Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <exception cref="JsonException">The JSON does not match <typeparamref name="T"/> or is null.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize<T>(utf8, Options) ?? throw new JsonException("null object");

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("null object");

    public static T Deserialize<T>(JsonElement element) => element.Deserialize<T>(Options) ?? throw new JsonException("null object");

    /// <summary>A deep copy made by a JSON round trip.</summary>
    public static T DeepCopy<T>(T value) => Deserialize<T>(SerializeToUtf8Bytes(value));
}
