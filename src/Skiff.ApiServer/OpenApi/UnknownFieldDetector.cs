using System.Globalization;
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

        foreach (var (key, value) in obj)
        {
            var path = "." + key;
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
                continue;
            }
            else if (schema.AdditionalProperties is { } values)
            {
                Walk(values, value, path, result);
            }
            else
            {
                result.Add(path);
            }
        }

        return result;
    }

    private static void Walk(SchemaNode schema, JsonNode? value, string path, List<string> result)
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
                    var childPath = path + "." + key;
                    if (schema.Properties.TryGetValue(key, out var field))
                    {
                        Walk(field, child, childPath, result);
                    }
                    else if (additional is not null)
                    {
                        Walk(additional, child, childPath, result);
                    }
                    else if (schema.EmbeddedResource && key is "apiVersion" or "kind" or "metadata")
                    {
                        continue;
                    }
                    else
                    {
                        result.Add(childPath);
                    }
                }

                break;
            case JsonArray a when schema.Type == "array" && schema.Items is { } items:
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(items, a[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", result);
                }

                break;
        }
    }
}
