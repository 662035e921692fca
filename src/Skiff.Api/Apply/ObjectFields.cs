using System.Text.Json.Nodes;
using Skiff.Api.Internal;
using Skiff.Api.Patch;

namespace Skiff.Api.Apply;

/// <summary>Schema-aware walks over objects for server-side apply: field sets, comparisons, merges and removals.</summary>
internal static class ObjectFields
{
    public enum ListKind
    {
        Atomic,
        Set,
        Map,
    }

    /// <summary>How a list is treated: explicit <c>x-kubernetes-list-type</c>, else the patch strategy (merge key → map, merge → set), else atomic.</summary>
    public static (ListKind Kind, IReadOnlyList<string> Keys) ListKindOf(IPatchSchema? s)
    {
        if (s is null)
        {
            return (ListKind.Atomic, Array.Empty<string>());
        }

        switch (s.ListType)
        {
            case "map":
                return s.ListMapKeys.Count > 0 ? (ListKind.Map, s.ListMapKeys)
                    : s.PatchMergeKey is { Length: > 0 } mk ? (ListKind.Map, new[] { mk }) : (ListKind.Atomic, Array.Empty<string>());
            case "set":
                return (ListKind.Set, Array.Empty<string>());
            case "atomic":
                return (ListKind.Atomic, Array.Empty<string>());
        }

        if (s.PatchStrategies.Contains("merge"))
        {
            return s.PatchMergeKey is { Length: > 0 } key ? (ListKind.Map, new[] { key }) : (ListKind.Set, Array.Empty<string>());
        }

        return (ListKind.Atomic, Array.Empty<string>());
    }

    public static string KeyElement(JsonObject item, IReadOnlyList<string> keys)
    {
        var k = new JsonObject();
        foreach (var name in keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (item.TryGetPropertyValue(name, out var v) && v is not null)
            {
                k[name] = v.DeepClone();
            }
        }

        return "k:" + k.ToJsonString(Json.Relaxed);
    }

    public static string ValueElement(JsonNode? v) => "v:" + (v?.ToJsonString(Json.Relaxed) ?? "null");

    /// <summary>Adds every path of <paramref name="value"/> (rooted at <paramref name="node"/>) to the set.</summary>
    public static void Walk(JsonNode? value, IPatchSchema? schema, FieldSet node)
    {
        switch (value)
        {
            case JsonObject o:
                if (schema?.MapType == "atomic" || o.Count == 0)
                {
                    node.Member = true;
                    return;
                }

                if (schema?.IsMap == true)
                {
                    node.Member = true;
                }

                WalkFields(o, schema, node);
                return;
            case JsonArray a:
                var (kind, keys) = ListKindOf(schema);
                switch (kind)
                {
                    case ListKind.Set:
                        if (a.Count == 0)
                        {
                            node.Member = true;
                        }

                        foreach (var item in a)
                        {
                            node.Child(ValueElement(item)).Member = true;
                        }

                        return;
                    case ListKind.Map:
                        if (a.Count == 0)
                        {
                            node.Member = true;
                        }

                        foreach (var item in a)
                        {
                            if (item is JsonObject io)
                            {
                                var child = node.Child(KeyElement(io, keys));
                                child.Member = true;
                                WalkFields(io, schema?.Items, child);
                            }
                        }

                        return;
                    default:
                        node.Member = true;
                        return;
                }

            default:
                node.Member = true;
                return;
        }
    }

    private static void WalkFields(JsonObject o, IPatchSchema? schema, FieldSet node)
    {
        foreach (var (k, v) in o)
        {
            if (v is null)
            {
                continue;
            }

            Walk(v, schema?.Field(k), node.Child("f:" + k));
        }
    }

    public static FieldSet ToFieldSet(JsonObject obj, IPatchSchema? schema)
    {
        var set = new FieldSet();
        WalkFields(obj, schema, set);
        return set;
    }

    /// <summary>Records what changed between two values: <paramref name="changed"/> gets modified and added paths, <paramref name="removed"/> removed ones.</summary>
    public static void Compare(JsonNode? oldV, JsonNode? newV, IPatchSchema? schema, FieldSet changed, FieldSet removed)
    {
        if (newV is null)
        {
            if (oldV is not null)
            {
                Walk(oldV, schema, removed);
            }

            return;
        }

        if (oldV is null)
        {
            Walk(newV, schema, changed);
            return;
        }

        if (oldV is JsonObject oo && newV is JsonObject no && schema?.MapType != "atomic")
        {
            CompareFields(oo, no, schema, changed, removed);
            return;
        }

        if (oldV is JsonArray oa && newV is JsonArray na)
        {
            var (kind, keys) = ListKindOf(schema);
            if (kind == ListKind.Set)
            {
                foreach (var item in na.Where(n => !oa.Any(o => JsonEquality.Equal(o, n))))
                {
                    changed.Child(ValueElement(item)).Member = true;
                }

                foreach (var item in oa.Where(o => !na.Any(n => JsonEquality.Equal(o, n))))
                {
                    removed.Child(ValueElement(item)).Member = true;
                }

                return;
            }

            if (kind == ListKind.Map)
            {
                var oldItems = oa.OfType<JsonObject>().ToDictionary(i => KeyElement(i, keys), i => i, StringComparer.Ordinal);
                var newItems = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
                foreach (var i in na.OfType<JsonObject>())
                {
                    newItems[KeyElement(i, keys)] = i;
                }

                foreach (var (k, ni) in newItems)
                {
                    if (oldItems.TryGetValue(k, out var oi))
                    {
                        CompareFields(oi, ni, schema?.Items, changed.Child(k), removed.Child(k));
                    }
                    else
                    {
                        var c = changed.Child(k);
                        c.Member = true;
                        WalkFields(ni, schema?.Items, c);
                    }
                }

                foreach (var (k, oi) in oldItems.Where(kv => !newItems.ContainsKey(kv.Key)))
                {
                    var r = removed.Child(k);
                    r.Member = true;
                    WalkFields(oi, schema?.Items, r);
                }

                return;
            }
        }

        if (!JsonEquality.Equal(oldV, newV))
        {
            Walk(newV, schema, changed);
            if (oldV is JsonObject or JsonArray)
            {
                var old = new FieldSet();
                Walk(oldV, schema, old);
                var fresh = new FieldSet();
                Walk(newV, schema, fresh);
                removed.UnionWith(old.Difference(fresh));
            }
        }
    }

    private static void CompareFields(JsonObject oo, JsonObject no, IPatchSchema? schema, FieldSet changed, FieldSet removed)
    {
        foreach (var key in oo.Select(kv => kv.Key).Union(no.Select(kv => kv.Key)))
        {
            var pe = "f:" + key;
            Compare(oo[key], no[key], schema?.Field(key), changed.Child(pe), removed.Child(pe));
        }
    }

    /// <summary>Merges an applied configuration into a live value (list maps by key, sets by value, atomics replaced).</summary>
    public static JsonNode? Merge(JsonNode? live, JsonNode? applied, IPatchSchema? schema)
    {
        if (applied is JsonObject ao && live is JsonObject lo && schema?.MapType != "atomic")
        {
            var result = (JsonObject)lo.DeepClone();
            foreach (var (k, v) in ao)
            {
                if (v is null)
                {
                    continue;
                }

                result[k] = Merge(result[k], v, schema?.Field(k))?.DeepClone();
            }

            return result;
        }

        if (applied is JsonArray aa && live is JsonArray la)
        {
            var (kind, keys) = ListKindOf(schema);
            if (kind == ListKind.Set)
            {
                var result = (JsonArray)la.DeepClone();
                foreach (var item in aa.Where(a => !la.Any(l => JsonEquality.Equal(l, a))))
                {
                    result.Add(item?.DeepClone());
                }

                return result;
            }

            if (kind == ListKind.Map)
            {
                var items = la.Select(i => i?.DeepClone()).ToList();
                foreach (var item in aa.OfType<JsonObject>())
                {
                    var key = KeyElement(item, keys);
                    var idx = items.FindIndex(i => i is JsonObject io && KeyElement(io, keys) == key);
                    if (idx >= 0)
                    {
                        items[idx] = Merge(items[idx], item, schema?.Items);
                    }
                    else
                    {
                        items.Add(Merge(null, item, schema?.Items));
                    }
                }

                var arr = new JsonArray();
                foreach (var i in items)
                {
                    arr.Add(i?.Parent is null ? i : i.DeepClone());
                }

                return arr;
            }
        }

        return StripNulls(applied?.DeepClone());
    }

    private static JsonNode? StripNulls(JsonNode? n)
    {
        if (n is JsonObject o)
        {
            foreach (var k in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
            {
                o.Remove(k);
            }

            foreach (var (_, v) in o)
            {
                StripNulls(v);
            }
        }
        else if (n is JsonArray a)
        {
            foreach (var v in a)
            {
                StripNulls(v);
            }
        }

        return n;
    }

    /// <summary>Removes the value at a FieldsV1 path from an object; missing paths are ignored.</summary>
    public static void RemovePath(JsonObject root, IReadOnlyList<string> path, IPatchSchema? schema)
    {
        JsonNode? node = root;
        var s = schema;
        for (var i = 0; i < path.Count; i++)
        {
            var pe = path[i];
            var last = i == path.Count - 1;
            if (pe.StartsWith("f:", StringComparison.Ordinal) && node is JsonObject o)
            {
                var name = pe[2..];
                if (last)
                {
                    o.Remove(name);
                    return;
                }

                node = o[name];
                s = s?.Field(name);
            }
            else if (node is JsonArray a && (pe.StartsWith("k:", StringComparison.Ordinal) || pe.StartsWith("v:", StringComparison.Ordinal)))
            {
                var (_, keys) = ListKindOf(s);
                var idx = -1;
                for (var j = 0; j < a.Count; j++)
                {
                    var match = pe[0] == 'k'
                        ? a[j] is JsonObject io && KeyElement(io, keys) == pe
                        : ValueElement(a[j]) == pe;
                    if (match)
                    {
                        idx = j;
                        break;
                    }
                }

                if (idx < 0)
                {
                    return;
                }

                if (last)
                {
                    a.RemoveAt(idx);
                    return;
                }

                node = a[idx];
                s = s?.Items;
            }
            else
            {
                return;
            }
        }
    }
}
