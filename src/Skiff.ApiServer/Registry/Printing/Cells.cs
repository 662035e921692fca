using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Printing;

/// <summary>
/// The cell formatting helpers shared by the printers (upstream <c>printers.go</c>: <c>layoutContainerCells</c>,
/// <c>labels.FormatLabels</c>, <c>metav1.FormatLabelSelector</c>, ages).
/// </summary>
public static class Cells
{
    /// <summary>The age cell of an object (metadata.creationTimestamp).</summary>
    public static string Age(JsonObject obj, DateTimeOffset now) =>
        HumanDuration.Since(JsonPath.Str(obj, "metadata", "creationTimestamp"), now);

    /// <summary>Comma-joined container names and images of a container array.</summary>
    public static (string Names, string Images) Containers(JsonNode? containers)
    {
        var names = new List<string>();
        var images = new List<string>();
        if (containers is JsonArray arr)
        {
            foreach (var c in arr)
            {
                names.Add(JsonPath.Str(c, "name") ?? "");
                images.Add(JsonPath.Str(c, "image") ?? "");
            }
        }

        return (string.Join(",", names), string.Join(",", images));
    }

    /// <summary><c>labels.FormatLabels</c>: sorted <c>k=v</c> pairs joined by commas, or <c>&lt;none&gt;</c>.</summary>
    public static string Labels(JsonNode? map)
    {
        var s = LabelString(map);
        return s.Length == 0 ? "<none>" : s;
    }

    /// <summary>Sorted <c>k=v</c> pairs joined by commas, or "" when empty.</summary>
    public static string LabelString(JsonNode? map) =>
        string.Join(",", JsonPath.StringMap(map).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>
    /// The string form of a <c>metav1.LabelSelector</c> (matchLabels and matchExpressions as one sorted requirement
    /// list), "" when it selects everything or is missing.
    /// </summary>
    public static string SelectorString(JsonNode? selector)
    {
        if (selector is not JsonObject sel)
        {
            return "";
        }

        var reqs = new List<(string Key, string Text)>();
        foreach (var (k, v) in JsonPath.StringMap(sel, "matchLabels"))
        {
            reqs.Add((k, $"{k}={v}"));
        }

        foreach (var e in JsonPath.Objects(sel, "matchExpressions"))
        {
            var key = JsonPath.Str(e, "key") ?? "";
            var values = (JsonPath.Arr(e, "values") ?? []).Select(JsonPath.AsString).OfType<string>().Order(StringComparer.Ordinal).ToList();
            var text = JsonPath.Str(e, "operator") switch
            {
                "In" => $"{key} in ({string.Join(",", values)})",
                "NotIn" => $"{key} notin ({string.Join(",", values)})",
                "Exists" => key,
                "DoesNotExist" => "!" + key,
                _ => "<error>",
            };
            reqs.Add((key, text));
        }

        return string.Join(",", reqs.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    /// <summary><c>metav1.FormatLabelSelector</c>: the selector string, or <c>&lt;none&gt;</c> when empty.</summary>
    public static string Selector(JsonNode? selector)
    {
        var s = SelectorString(selector);
        return s.Length == 0 ? "<none>" : s;
    }

    /// <summary>An integer field as int64 (0 when missing), the cell type of upstream's integer columns.</summary>
    public static long Int(JsonNode? node, params ReadOnlySpan<string> path) => JsonPath.Long(node, path) ?? 0;
}
