using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Internal;

/// <summary>Structural JSON equality with numbers compared by value (as Go compares decoded float64s).</summary>
internal static class JsonEquality
{
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        var ka = Kind(a);
        var kb = Kind(b);
        if (ka != kb)
        {
            return false;
        }

        switch (ka)
        {
            case JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False:
                return true;
            case JsonValueKind.String:
                return a!.GetValue<string>() == b!.GetValue<string>();
            case JsonValueKind.Number:
                var sa = a!.ToJsonString();
                var sb = b!.ToJsonString();
                if (sa == sb)
                {
                    return true;
                }

                return double.TryParse(sa, NumberStyles.Float, CultureInfo.InvariantCulture, out var da)
                       && double.TryParse(sb, NumberStyles.Float, CultureInfo.InvariantCulture, out var db) && da.Equals(db);
            case JsonValueKind.Array:
                var aa = (JsonArray)a!;
                var ab = (JsonArray)b!;
                if (aa.Count != ab.Count)
                {
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!Equal(aa[i], ab[i]))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Object:
                var oa = (JsonObject)a!;
                var ob = (JsonObject)b!;
                if (oa.Count != ob.Count)
                {
                    return false;
                }

                foreach (var (k, v) in oa)
                {
                    if (!ob.TryGetPropertyValue(k, out var w) || !Equal(v, w))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    public static JsonValueKind Kind(JsonNode? n) => n is null ? JsonValueKind.Null : n.GetValueKind();
}
