using System.Globalization;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// Removes one unknown field from an object, given the path the unknown-field detector reported
/// (<c>.spec.foo</c>, <c>.spec.containers[0].foo</c>). Field names may themselves contain dots, so each step
/// matches the object's actual keys against the rest of the path instead of splitting it.
/// </summary>
internal static class UnknownFieldPruner
{
    /// <summary>Removes the field at <paramref name="path"/>; returns false when the path does not lead to one.</summary>
    public static bool Remove(JsonNode? node, string path)
    {
        if (path.Length == 0)
        {
            return false;
        }

        if (path[0] == '[' && node is JsonArray array)
        {
            var close = path.IndexOf(']');
            if (close < 0 || !int.TryParse(path.AsSpan(1, close - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= array.Count)
            {
                return false;
            }

            return Remove(array[index], path[(close + 1)..]);
        }

        if (path[0] != '.' || node is not JsonObject obj)
        {
            return false;
        }

        var rest = path[1..];
        if (obj.ContainsKey(rest))
        {
            obj.Remove(rest);
            return true;
        }

        foreach (var key in obj.Select(p => p.Key).Where(k => rest.Length > k.Length && rest.StartsWith(k, StringComparison.Ordinal)
                     && rest[k.Length] is '.' or '[').OrderByDescending(k => k.Length).ToList())
        {
            if (Remove(obj[key], rest[key.Length..]))
            {
                return true;
            }
        }

        return false;
    }
}
