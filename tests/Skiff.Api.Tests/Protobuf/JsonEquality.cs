using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>JSON equality modulo property order and number formatting; reports the first difference.</summary>
internal static class JsonEquality
{
    public static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}";
        }

        switch (expected)
        {
            case JsonObject eo:
                if (actual is not JsonObject ao)
                {
                    return $"{path}: expected an object, got {actual.ToJsonString()}";
                }

                foreach (var (key, value) in eo)
                {
                    if (!ao.TryGetPropertyValue(key, out var other))
                    {
                        return $"{path}.{key}: missing (expected {value?.ToJsonString() ?? "null"})";
                    }

                    var diff = FirstDifference(value, other, $"{path}.{key}");
                    if (diff is not null)
                    {
                        return diff;
                    }
                }

                foreach (var (key, value) in ao)
                {
                    if (!eo.ContainsKey(key))
                    {
                        return $"{path}.{key}: unexpected {value?.ToJsonString() ?? "null"}";
                    }
                }

                return null;
            case JsonArray ea:
                if (actual is not JsonArray aa || aa.Count != ea.Count)
                {
                    return $"{path}: expected {Short(expected)}, got {Short(actual)}";
                }

                for (var i = 0; i < ea.Count; i++)
                {
                    var diff = FirstDifference(ea[i], aa[i], $"{path}[{i}]");
                    if (diff is not null)
                    {
                        return diff;
                    }
                }

                return null;
            default:
                var ek = expected.GetValueKind();
                var ak = actual.GetValueKind();
                if (ek == JsonValueKind.Number && ak == JsonValueKind.Number)
                {
                    return decimal.Parse(expected.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
                        == decimal.Parse(actual.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
                        ? null : $"{path}: expected {expected.ToJsonString()}, got {actual.ToJsonString()}";
                }

                return ek == ak && expected.ToJsonString() == actual.ToJsonString()
                    ? null : $"{path}: expected {Short(expected)}, got {Short(actual)}";
        }
    }

    private static string Short(JsonNode node)
    {
        var s = node.ToJsonString();
        return s.Length > 200 ? s[..200] + "…" : s;
    }
}
