using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Interim;

/// <summary>
/// Minimal patch engines: RFC 7386 merge patch, RFC 6902 JSON patch and a simplified strategic merge patch
/// (maps merge, <c>null</c> deletes, lists of objects merge by a few well-known keys, <c>$patch</c> directives on
/// maps). INTERIM: replaced by Skiff.Api.Patch once it lands in main.
/// </summary>
internal static class Patches
{
    private static readonly string[] MergeKeys = ["name", "containerPort", "mountPath", "devicePath", "ip", "topologyKey", "type", "uid", "port"];

    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }

        return result;
    }

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

    /// <summary>Applies RFC 6902 operations; throws a 422-free error text on failure (the caller maps it).</summary>
    public static JsonNode? JsonPatch(JsonNode? doc, JsonArray ops)
    {
        var root = doc?.DeepClone();
        foreach (var opNode in ops)
        {
            if (opNode is not JsonObject op)
            {
                throw new InvalidOperationException("invalid JSON patch operation");
            }

            var kind = op["op"]?.GetValue<string>() ?? throw new InvalidOperationException("missing op");
            var path = op["path"]?.GetValue<string>() ?? throw new InvalidOperationException($"missing path in \"{kind}\" operation");
            switch (kind)
            {
                case "add":
                    root = Add(root, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    root = Remove(root, path, out _);
                    break;
                case "replace":
                    Remove(root, path, out _);
                    root = Add(root, path, op["value"]?.DeepClone());
                    break;
                case "move":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw new InvalidOperationException("missing from");
                    root = Remove(root, from, out var moved);
                    root = Add(root, path, moved);
                    break;
                }
                case "copy":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw new InvalidOperationException("missing from");
                    root = Add(root, path, Get(root, from)?.DeepClone());
                    break;
                }
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new InvalidOperationException($"testing value {path} failed: test failed");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"Unexpected kind: {kind}");
            }
        }

        return root;
    }

    private static string[] Tokens(string path)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (path[0] != '/')
        {
            throw new InvalidOperationException($"JSON pointer must be empty or start with a \"/\": {path}");
        }

        return path[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
    }

    private static JsonNode? Get(JsonNode? root, string path)
    {
        var cur = root;
        foreach (var t in Tokens(path))
        {
            cur = cur switch
            {
                JsonObject o when o.TryGetPropertyValue(t, out var v) => v,
                JsonArray a when int.TryParse(t, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new InvalidOperationException($"doc is missing path: \"{path}\": missing value"),
            };
        }

        return cur;
    }

    private static JsonNode? Add(JsonNode? root, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Length == 0)
        {
            return value;
        }

        var parent = Get(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0").Replace("/", "~1"))));
        if (tokens.Length == 1)
        {
            parent = root;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new InvalidOperationException($"doc is missing path: \"{path}\": missing value");
        }

        return root;
    }

    private static JsonNode? Remove(JsonNode? root, string path, out JsonNode? removed)
    {
        var tokens = Tokens(path);
        var parent = tokens.Length == 1 ? root : Get(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0").Replace("/", "~1"))));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                removed = o[last];
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw new InvalidOperationException($"doc is missing path: \"{path}\": missing value");
        }

        removed = removed?.DeepClone();
        return root;
    }
}
