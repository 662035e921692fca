using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Skiff.Client.Dynamic;

/// <summary>Reads and writes a <see cref="DynamicObject"/> as its plain JSON object.</summary>
public sealed class DynamicObjectConverter : JsonConverter<DynamicObject>
{
    public override DynamicObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => new(JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("expected a JSON object"));

    public override void Write(Utf8JsonWriter writer, DynamicObject value, JsonSerializerOptions options) => value.Object.WriteTo(writer, options);
}
