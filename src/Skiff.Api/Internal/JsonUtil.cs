using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Internal;

/// <summary>Small helpers over System.Text.Json.Nodes used across Skiff.Api.</summary>
internal static class JsonUtil
{
    /// <summary>An integral JSON number as long, whatever CLR type backs the node.</summary>
    public static bool TryGetInt64(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue(out long l))
        {
            value = l;
            return true;
        }

        if (v.TryGetValue(out int i))
        {
            value = i;
            return true;
        }

        return long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A JSON string's value, or null for anything else.</summary>
    public static string? GetString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A deep copy (null stays null).</summary>
    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    /// <summary>Structural equality (null equals null).</summary>
    public static bool Equal(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}
