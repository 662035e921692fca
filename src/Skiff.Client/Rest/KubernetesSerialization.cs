using System.Text.Json;
using k8s;
using Skiff.Api.Serialization;

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

    /// <summary>
    /// Deserializes JSON as Go's client reads it: invalid UTF-8 and escapes of lone surrogates become U+FFFD (see
    /// <see cref="GoJsonText"/>), nesting deeper than 64 levels is a <see cref="JsonException"/>. A hostile or broken
    /// server gets nothing but a <see cref="JsonException"/> out of this.
    /// </summary>
    /// <exception cref="JsonException">The JSON is malformed, does not match <typeparamref name="T"/> or is null.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize<T>(GoJsonText.Repair(utf8), Options) ?? throw new JsonException("null object");

    /// <inheritdoc cref="Deserialize{T}(ReadOnlySpan{byte})"/>
    public static T Deserialize<T>(string json) =>
        (json.Contains("\\u", StringComparison.Ordinal) || GoJsonText.FirstLoneSurrogate(json) >= 0
            ? JsonSerializer.Deserialize<T>(GoJsonText.Repair(System.Text.Encoding.UTF8.GetBytes(json)), Options)
            : JsonSerializer.Deserialize<T>(json, Options)) ?? throw new JsonException("null object");

    public static T Deserialize<T>(JsonElement element) => element.Deserialize<T>(Options) ?? throw new JsonException("null object");

    /// <summary>A deep copy made by a JSON round trip.</summary>
    public static T DeepCopy<T>(T value) => Deserialize<T>(SerializeToUtf8Bytes(value));
}
