using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// Small, allocation-light readers and writers for nested fields of a <see cref="JsonObject"/>, shared by every
/// strategy. Readers never throw on a missing or wrongly typed field: they return null (or the given default);
/// writers create intermediate objects as needed.
/// </summary>
public static class JsonPath
{
    /// <summary>The node at <paramref name="path"/> (object keys), or null when any step is missing.</summary>
    public static JsonNode? Get(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var key in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The object at <paramref name="path"/>, or null.</summary>
    public static JsonObject? Obj(JsonNode? node, params ReadOnlySpan<string> path) => Get(node, path) as JsonObject;

    /// <summary>The array at <paramref name="path"/>, or null.</summary>
    public static JsonArray? Arr(JsonNode? node, params ReadOnlySpan<string> path) => Get(node, path) as JsonArray;

    /// <summary>The objects of the array at <paramref name="path"/> (non-object elements are skipped).</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node, params ReadOnlySpan<string> path)
    {
        var arr = Arr(node, path);
        return arr is null ? [] : arr.OfType<JsonObject>();
    }

    /// <summary>The string at <paramref name="path"/>, or null when missing or not a string.</summary>
    public static string? Str(JsonNode? node, params ReadOnlySpan<string> path) => AsString(Get(node, path));

    /// <summary>A string value, or null when the node is not a JSON string.</summary>
    public static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The integer at <paramref name="path"/>, or null when missing or not an integral number.</summary>
    public static long? Long(JsonNode? node, params ReadOnlySpan<string> path) => AsLong(Get(node, path));

    /// <summary>An integral number value, or null.</summary>
    public static long? AsLong(JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (v.TryGetValue<long>(out var l))
            {
                return l;
            }

            if (v.TryGetValue<int>(out var i))
            {
                return i;
            }

            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18)
            {
                return (long)d;
            }

            if (long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out l))
            {
                return l;
            }
        }

        return null;
    }

    /// <summary>The boolean at <paramref name="path"/>, or null.</summary>
    public static bool? Bool(JsonNode? node, params ReadOnlySpan<string> path) =>
        Get(node, path) is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    /// <summary>The string map (labels, selector, data) at <paramref name="path"/>, or an empty list.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> StringMap(JsonNode? node, params ReadOnlySpan<string> path)
    {
        if (Obj(node, path) is not { } o)
        {
            return [];
        }

        var list = new List<KeyValuePair<string, string>>(o.Count);
        foreach (var (k, v) in o)
        {
            list.Add(new(k, AsString(v) ?? v?.ToJsonString() ?? ""));
        }

        return list;
    }

    /// <summary>The object at <paramref name="key"/> of <paramref name="parent"/>, created (replacing a non-object) if needed.</summary>
    public static JsonObject Ensure(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject o)
        {
            return o;
        }

        o = new JsonObject();
        parent[key] = o;
        return o;
    }

    /// <summary>The object at <paramref name="path"/>, creating every missing step.</summary>
    public static JsonObject Ensure(JsonObject root, params ReadOnlySpan<string> path)
    {
        var o = root;
        foreach (var key in path)
        {
            o = Ensure(o, key);
        }

        return o;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> when it is missing or JSON null.</summary>
    public static void Default(JsonObject obj, string key, JsonNode? value)
    {
        if (obj[key] is null)
        {
            obj[key] = value;
        }
    }

    /// <summary>Sets <paramref name="key"/> when it is missing, null or an empty string.</summary>
    public static void DefaultString(JsonObject obj, string key, string value)
    {
        if (obj[key] is null || AsString(obj[key]) is "")
        {
            obj[key] = value;
        }
    }

    /// <summary>True when two nodes are structurally equal (null equals missing).</summary>
    public static bool Equal(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    /// <summary><c>metadata.name</c>, or "".</summary>
    public static string Name(JsonObject obj) => Str(obj, "metadata", "name") ?? "";

    /// <summary><c>metadata.namespace</c>, or "".</summary>
    public static string Namespace(JsonObject obj) => Str(obj, "metadata", "namespace") ?? "";
}
