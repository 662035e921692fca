using System.Globalization;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Store;

/// <summary>Reads and writes <c>metadata</c> fields of a JSON object.</summary>
internal static class Meta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m)
        {
            return m;
        }

        m = new JsonObject();
        obj["metadata"] = m;
        return m;
    }

    public static string? Str(JsonObject obj, string field) => obj["metadata"] is JsonObject m && m[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject obj) => Str(obj, "name") ?? "";

    public static string Namespace(JsonObject obj) => Str(obj, "namespace") ?? "";

    public static long Generation(JsonObject obj) => obj["metadata"]?["generation"] is JsonValue v && v.TryGetValue<long>(out var g) ? g : 0;

    public static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray a ? a.Select(f => f?.GetValue<string>() ?? "").ToList() : [];

    public static void SetFinalizers(JsonObject obj, IReadOnlyCollection<string> finalizers)
    {
        var m = Of(obj);
        if (finalizers.Count == 0)
        {
            m.Remove("finalizers");
        }
        else
        {
            m["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        }
    }

    public static Dictionary<string, string> Labels(JsonObject obj)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (k, v) in labels)
            {
                result[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
            }
        }

        return result;
    }

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTimestamp(string? s) =>
        s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>Reads a dotted path (<c>spec.nodeName</c>) as the string a field selector compares against.</summary>
    public static string? FieldValue(JsonObject obj, string path)
    {
        JsonNode? cur = obj;
        foreach (var part in path.Split('.'))
        {
            cur = cur is JsonObject o ? o[part] : null;
            if (cur is null)
            {
                return null;
            }
        }

        return cur is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : cur.ToJsonString();
    }
}
