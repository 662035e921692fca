using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// The checks upstream runs beside kube-openapi: <c>x-kubernetes-list-type</c> set and map lists hold no duplicate
/// (<c>listtype.ValidateListSetsAndMaps</c>: <c>spec.ports[1]: Duplicate value: …</c>) and embedded resources carry
/// apiVersion and kind (<c>objectmeta.Validate</c>).
/// </summary>
internal static class ListTypeValidator
{
    /// <summary>Validates <paramref name="x"/> at <paramref name="path"/> into <paramref name="errs"/>.</summary>
    public static void Validate(JsonNode? x, SchemaNode? s, string path, List<FieldError> errs)
    {
        if (s is null)
        {
            return;
        }

        switch (x)
        {
            case JsonObject o:
                if (s.EmbeddedResource && path.Length > 0)
                {
                    if (!o.ContainsKey("apiVersion"))
                    {
                        errs.Add(FieldError.Required(GoValue.Child(path, "apiVersion"), "must not be empty"));
                    }

                    if (!o.ContainsKey("kind"))
                    {
                        errs.Add(FieldError.Required(GoValue.Child(path, "kind"), "must not be empty"));
                    }
                }

                foreach (var (k, v) in o)
                {
                    var prop = s.Properties is { } props && props.TryGetValue(k, out var p) ? p : s.AdditionalProperties;
                    Validate(v, prop, GoValue.Child(path, k), errs);
                }

                break;
            case JsonArray a:
                if (s.ListType == "set")
                {
                    for (var i = 0; i < a.Count; i++)
                    {
                        for (var j = 0; j < i; j++)
                        {
                            if (JsonEquality.Equal(a[i], a[j]))
                            {
                                errs.Add(FieldError.Duplicate($"{path}[{i}]", GoValue.BadValue(a[i])));
                                break;
                            }
                        }
                    }
                }
                else if (s.ListType == "map" && s.ListMapKeys.Count > 0)
                {
                    var seen = new List<JsonObject>();
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (a[i] is not JsonObject item)
                        {
                            continue;
                        }

                        var keys = KeyOf(item, s);
                        if (seen.Any(prev => JsonEquality.Equal(prev, keys)))
                        {
                            errs.Add(FieldError.Duplicate($"{path}[{i}]", GoValue.SharpV(keys)));
                        }
                        else
                        {
                            seen.Add(keys);
                        }
                    }
                }

                for (var i = 0; i < a.Count; i++)
                {
                    Validate(a[i], s.Items, $"{path}[{i}]", errs);
                }

                break;
        }
    }

    /// <summary>The map-key fields of a map-list element (with the keys' defaults where the element lacks them).</summary>
    public static JsonObject KeyOf(JsonObject item, SchemaNode list)
    {
        var keys = new JsonObject();
        foreach (var k in list.ListMapKeys)
        {
            if (item.TryGetPropertyValue(k, out var v))
            {
                keys[k] = v?.DeepClone();
            }
            else if (list.Items?.Properties is { } props && props.TryGetValue(k, out var p) && p.Default is not null)
            {
                keys[k] = p.Default.DeepClone();
            }
        }

        return keys;
    }
}
