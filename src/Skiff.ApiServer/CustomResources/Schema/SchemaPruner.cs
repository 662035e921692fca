using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// Pruning of unknown fields (upstream <c>structural/pruning</c>): a field the schema does not specify is removed
/// unless <c>x-kubernetes-preserve-unknown-fields</c> keeps it; <c>apiVersion</c>, <c>kind</c> and <c>metadata</c>
/// of the root and of every <c>x-kubernetes-embedded-resource</c> are kept and metadata is cut to ObjectMeta's fields
/// (upstream round-trips it through <c>metav1.ObjectMeta</c>). Non-nullable nulls without a default are dropped
/// (<c>PruneNonNullableNullsWithoutDefaults</c>).
/// </summary>
internal static class SchemaPruner
{
    /// <summary>The fields of <c>metav1.ObjectMeta</c>.</summary>
    public static readonly HashSet<string> ObjectMetaFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    /// <summary>Prunes a whole custom resource in place.</summary>
    public static void PruneRoot(JsonObject obj, SchemaNode? root)
    {
        // The root is an embedded resource: apiVersion, kind and metadata survive whatever the schema says.
        PruneObject(obj, root, embedded: true);
        PruneNulls(obj, root);
    }

    /// <summary>Prunes a value below the root (embedded resources keep their apiVersion/kind/metadata).</summary>
    public static void Prune(JsonNode? x, SchemaNode? s)
    {
        if (s is not null && s.Preserves)
        {
            SkipPrune(x, s);
            return;
        }

        switch (x)
        {
            case JsonObject o:
                PruneObject(o, s, s?.EmbeddedResource == true);
                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Prune(v, s?.Items);
                }

                break;
        }
    }

    private static void PruneObject(JsonObject o, SchemaNode? s, bool embedded)
    {
        if (s is not null && s.Preserves)
        {
            SkipPrune(o, s, embedded);
            return;
        }

        foreach (var key in o.Select(p => p.Key).ToList())
        {
            var v = o[key];
            if (embedded && KeepsMetaField(o, key, v))
            {
                continue;
            }

            if (s?.Properties is { } props && props.TryGetValue(key, out var prop))
            {
                Prune(v, prop);
            }
            else if (s?.AdditionalProperties is { } additional)
            {
                Prune(v, additional);
            }
            else if (s?.AdditionalPropertiesAllowed != true)
            {
                o.Remove(key);
            }
        }
    }

    private static void SkipPrune(JsonNode? x, SchemaNode s, bool? embedded = null)
    {
        switch (x)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    var v = o[key];
                    if ((embedded ?? s.EmbeddedResource) && KeepsMetaField(o, key, v))
                    {
                        continue;
                    }

                    if (s.Properties is { } props && props.TryGetValue(key, out var prop))
                    {
                        Prune(v, prop);
                    }
                    else if (s.AdditionalProperties is { } additional)
                    {
                        Prune(v, additional);
                    }
                }

                break;
            case JsonArray a when s.Items is { } items:
                foreach (var v in a)
                {
                    SkipPrune(v, items);
                }

                break;
        }
    }

    /// <summary>apiVersion/kind (strings) and metadata (an object, cut to ObjectMeta) of a resource are kept.</summary>
    private static bool KeepsMetaField(JsonObject o, string key, JsonNode? v)
    {
        switch (key)
        {
            case "apiVersion" or "kind" when v is JsonValue sv && sv.GetValueKind() == System.Text.Json.JsonValueKind.String:
                return true;
            case "metadata" when v is JsonObject meta:
                foreach (var k in meta.Select(p => p.Key).Where(k => !ObjectMetaFields.Contains(k)).ToList())
                {
                    meta.Remove(k);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Removes fields whose value is null where the schema is not nullable and has no default.</summary>
    public static void PruneNulls(JsonNode? x, SchemaNode? s)
    {
        if (s is null)
        {
            return;
        }

        switch (x)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    var prop = s.Properties is { } props && props.TryGetValue(key, out var p) ? p : s.AdditionalProperties;
                    if (prop is null)
                    {
                        continue;
                    }

                    if (o[key] is null && !prop.Nullable && !prop.HasDefault)
                    {
                        o.Remove(key);
                    }
                    else
                    {
                        PruneNulls(o[key], prop);
                    }
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    PruneNulls(v, s.Items);
                }

                break;
        }
    }
}
