using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>Semantic equality of JSON values (numbers compared by value, objects regardless of key order).</summary>
internal static class JsonEquality
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are the same JSON value.</summary>
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        switch (a)
        {
            case JsonObject oa when b is JsonObject ob:
                return oa.Count == ob.Count && oa.All(p => ob.TryGetPropertyValue(p.Key, out var v) && Equal(p.Value, v));
            case JsonArray aa when b is JsonArray ab:
                return aa.Count == ab.Count && aa.Select((v, i) => Equal(v, ab[i])).All(x => x);
            case JsonValue va when b is JsonValue vb:
                var ka = va.GetValueKind();
                var kb = vb.GetValueKind();
                if (ka != kb)
                {
                    return false;
                }

                return ka switch
                {
                    JsonValueKind.String => va.GetValue<string>() == vb.GetValue<string>(),
                    JsonValueKind.Number => GoValue.AsDouble(va) == GoValue.AsDouble(vb),
                    _ => true,
                };
            default:
                return false;
        }
    }
}
