using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// Defaulting (upstream <c>structural/defaulting.Default</c>): a missing property, or a null one whose schema is not
/// nullable, gets a deep copy of its <c>default</c>; nulls in arrays and additionalProperties are defaulted the same
/// way; defaulting then recurses into every value, defaulted ones included.
/// </summary>
internal static class SchemaDefaulter
{
    /// <summary>Applies the defaults of <paramref name="s"/> to <paramref name="x"/> in place.</summary>
    public static void Default(JsonNode? x, SchemaNode? s)
    {
        if (s is null)
        {
            return;
        }

        switch (x)
        {
            case JsonObject o:
                if (s.Properties is { } props)
                {
                    foreach (var (k, prop) in props)
                    {
                        if (!prop.HasDefault || prop.Default is null)
                        {
                            continue;
                        }

                        if (!o.TryGetPropertyValue(k, out var v) || (v is null && !prop.Nullable))
                        {
                            o[k] = prop.Default.DeepClone();
                        }
                    }
                }

                foreach (var k in o.Select(p => p.Key).ToList())
                {
                    if (s.Properties is { } ps && ps.TryGetValue(k, out var prop))
                    {
                        Default(o[k], prop);
                    }
                    else if (s.AdditionalProperties is { } additional)
                    {
                        if (o[k] is null && !additional.Nullable && additional.Default is not null)
                        {
                            o[k] = additional.Default.DeepClone();
                        }

                        Default(o[k], additional);
                    }
                }

                break;
            case JsonArray a when s.Items is { } items:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is null && !items.Nullable && items.Default is not null)
                    {
                        a[i] = items.Default.DeepClone();
                    }

                    Default(a[i], items);
                }

                break;
        }
    }
}
