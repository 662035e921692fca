using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Finds the fields of an object that its schema does not declare, for <c>fieldValidation=Strict|Warn</c>. Paths
/// are upstream-shaped (sigs.k8s.io/json's strict decoder): <c>.spec.foo</c>, list elements as
/// <c>.spec.containers[0].foo</c>, map values as <c>.spec.selector.key.foo</c>; the server reports each as
/// <c>unknown field "spec.foo"</c> (without the leading dot). Nothing is reported below a map's values
/// (<c>additionalProperties</c>) unless their schema declares properties, below int-or-string/quantity
/// (<c>oneOf</c>), arbitrary JSON (no type, or <c>x-kubernetes-preserve-unknown-fields</c>) or embedded objects
/// (RawExtension). Type mismatches are not reported here (they are decoding errors, not unknown fields).
/// </summary>
public static class UnknownFieldDetector
{
    /// <summary>
    /// The unknown fields of <paramref name="obj"/> under <paramref name="schema"/>, in document order.
    /// <c>apiVersion</c>, <c>kind</c> and <c>metadata</c> are always known at the top level; if the kind's schema
    /// does not declare <c>metadata</c> (a custom resource), it is checked against <paramref name="objectMeta"/>.
    /// </summary>
    public static IReadOnlyList<string> Find(SchemaNode schema, JsonObject obj, SchemaNode? objectMeta = null)
    {
        var result = new List<string>();
        if (schema.AcceptsUnknownFields)
        {
            return result;
        }

        // Path segments are kept on a stack and joined only when a field is reported (the common case reports none).
        var path = new List<Segment>();
        foreach (var (key, value) in obj)
        {
            path.Add(new Segment(key, -1));
            if (schema.Properties.TryGetValue(key, out var field))
            {
                Walk(field, value, path, result);
            }
            else if (key == "metadata")
            {
                if (objectMeta is not null)
                {
                    Walk(objectMeta, value, path, result);
                }
            }
            else if (key is "apiVersion" or "kind")
            {
            }
            else if (schema.AdditionalProperties is { } values)
            {
                Walk(values, value, path, result);
            }
            else
            {
                result.Add(Join(path, null));
            }

            path.RemoveAt(path.Count - 1);
        }

        return result;
    }

    /// <summary>
    /// Upstream's text for one unknown field: <c>unknown field "spec.foo"</c> (a <c>Warning: 299</c> header each for
    /// fieldValidation=Warn; joined with ", " after <c>strict decoding error: </c> in the 400 for Strict).
    /// </summary>
    public static string Describe(string path) => $"unknown field \"{path.TrimStart('.')}\"";

    /// <summary>The 400 BadRequest message for fieldValidation=Strict: <c>strict decoding error: unknown field "a", unknown field "b"</c>.</summary>
    public static string StrictErrorMessage(IEnumerable<string> paths) =>
        "strict decoding error: " + string.Join(", ", paths.Select(Describe));

    private static void Walk(SchemaNode schema, JsonNode? value, List<Segment> path, List<string> result)
    {
        if (value is null || schema.AcceptsUnknownFields)
        {
            return;
        }

        switch (value)
        {
            case JsonObject o when schema.Type == "object":
                var additional = schema.AdditionalProperties;
                foreach (var (key, child) in o)
                {
                    if (schema.Properties.TryGetValue(key, out var field))
                    {
                        path.Add(new Segment(key, -1));
                        Walk(field, child, path, result);
                        path.RemoveAt(path.Count - 1);
                    }
                    else if (additional is not null)
                    {
                        path.Add(new Segment(key, -1));
                        Walk(additional, child, path, result);
                        path.RemoveAt(path.Count - 1);
                    }
                    else if (!(schema.EmbeddedResource && key is "apiVersion" or "kind" or "metadata"))
                    {
                        result.Add(Join(path, key));
                    }
                }

                break;
            case JsonArray a when schema.Type == "array" && schema.Items is { } items:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonObject or JsonArray)
                    {
                        path.Add(new Segment(null, i));
                        Walk(items, a[i], path, result);
                        path.RemoveAt(path.Count - 1);
                    }
                }

                break;
        }
    }

    private static string Join(List<Segment> path, string? last)
    {
        var sb = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment.Key is null)
            {
                sb.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                sb.Append('.').Append(segment.Key);
            }
        }

        if (last is not null)
        {
            sb.Append('.').Append(last);
        }

        return sb.ToString();
    }

    /// <summary>A field name, or (when <see cref="Key"/> is null) a list index.</summary>
    private readonly record struct Segment(string? Key, int Index);
}
