using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Interim;

/// <summary>
/// A simplified strategic merge patch
/// (maps merge, <c>null</c> deletes, lists of objects merge by a few well-known keys, <c>$patch</c> directives on
/// maps). INTERIM: replaced by the schema-driven strategic merge patch (IPatchSchema) once it lands in main.
/// </summary>
internal static class Patches
{
    private static readonly string[] MergeKeys = ["name", "containerPort", "mountPath", "devicePath", "ip", "topologyKey", "type", "uid", "port"];

    public static JsonNode? StrategicMergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }

        if (p["$patch"]?.GetValue<string>() == "replace")
        {
            var copy = (JsonObject)p.DeepClone();
            copy.Remove("$patch");
            return copy;
        }

        if (p["$patch"]?.GetValue<string>() == "delete")
        {
            return null;
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key == "$retainKeys" || key == "$patch")
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray arr && value is JsonArray del)
                {
                    var remove = del.Select(d => d?.ToJsonString()).ToHashSet();
                    result[field] = new JsonArray(arr.Where(e => !remove.Contains(e?.ToJsonString())).Select(e => e?.DeepClone()).ToArray());
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonArray pa && result[key] is JsonArray ta && MergeKeyOf(pa, ta) is { } mk)
            {
                result[key] = MergeList(ta, pa, mk);
            }
            else if (value is JsonArray pa2 && key == "finalizers" && result[key] is JsonArray ta2)
            {
                var merged = (JsonArray)ta2.DeepClone();
                foreach (var e in pa2)
                {
                    if (!merged.Any(m => m?.ToJsonString() == e?.ToJsonString()))
                    {
                        merged.Add(e?.DeepClone());
                    }
                }

                result[key] = merged;
            }
            else
            {
                result[key] = value is JsonObject ? StrategicMergePatch(result[key], value) : StripDirectives(value.DeepClone());
            }
        }

        return result;
    }

    private static JsonNode? StripDirectives(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var k in o.Select(p => p.Key).Where(k => k.StartsWith('$')).ToArray())
            {
                o.Remove(k);
            }

            foreach (var (_, v) in o.ToArray())
            {
                StripDirectives(v);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var e in a)
            {
                StripDirectives(e);
            }
        }

        return node;
    }

    private static string? MergeKeyOf(JsonArray patch, JsonArray target)
    {
        var sample = patch.OfType<JsonObject>().FirstOrDefault() ?? target.OfType<JsonObject>().FirstOrDefault();
        if (sample is null || patch.Any(e => e is not JsonObject))
        {
            return null;
        }

        return MergeKeys.FirstOrDefault(k => patch.OfType<JsonObject>().All(e => e.ContainsKey(k) || e["$patch"] is not null) && sample.ContainsKey(k));
    }

    private static JsonArray MergeList(JsonArray target, JsonArray patch, string key)
    {
        var result = (JsonArray)target.DeepClone();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var id = item[key]?.ToJsonString();
            var idx = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i] is JsonObject r && r[key]?.ToJsonString() == id)
                {
                    idx = i;
                    break;
                }
            }

            if (item["$patch"]?.GetValue<string>() == "delete")
            {
                if (idx >= 0)
                {
                    result.RemoveAt(idx);
                }

                continue;
            }

            if (idx >= 0)
            {
                result[idx] = StrategicMergePatch(result[idx], item);
            }
            else
            {
                result.Add(StripDirectives(item.DeepClone()));
            }
        }

        return result;
    }
}
