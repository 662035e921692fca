using System.Text.Json.Nodes;
using Skiff.Api.Internal;

namespace Skiff.Api.Patch;

/// <summary>List merging, partitioning and upstream's element ordering for <see cref="StrategicMergePatch"/>.</summary>
public static partial class StrategicMergePatch
{
    private static List<JsonNode?> MergeSliceHandler(JsonArray original, JsonArray patch, IPatchSchema? itemSchema, string strategy, string mergeKey, bool isDeleteList, Options options)
    {
        if (strategy == MergeDirective || isDeleteList)
        {
            return MergeSlice(original.ToList(), patch.ToList(), itemSchema, mergeKey, options, isDeleteList);
        }

        return patch.ToList();
    }

    private static List<JsonNode?> MergeSlice(List<JsonNode?> original, List<JsonNode?> patch, IPatchSchema? schema, string mergeKey, Options options, bool isDeleteList)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        var kind = SliceElementType(original, patch);
        List<JsonNode?> merged;
        List<JsonNode?>? patchForOrder = patch;
        if (kind != Kind.Object)
        {
            if (options.MergeParallelList && isDeleteList)
            {
                return original.Where(v => !patch.Any(d => ScalarEqual(v, d))).ToList();
            }

            merged = DeduplicateScalars(original.Concat(patch).ToList());
        }
        else
        {
            if (mergeKey.Length == 0)
            {
                throw new PatchException("cannot merge lists without merge key for " + (schema is null ? "" : schema.GetType().Name));
            }

            (original, patchForOrder) = MergeSliceWithSpecialElements(original, patch, mergeKey);
            merged = MergeSliceWithoutSpecialElements(original, patchForOrder ?? new List<JsonNode?>(), mergeKey, schema, options);
        }

        var p = patchForOrder ?? new List<JsonNode?>();
        var (patchItems, serverOnly) = mergeKey.Length == 0 ? PartitionPrimitives(merged, p) : PartitionMaps(merged, p, mergeKey);
        return NormalizeElementOrder(patchItems, serverOnly, p, original, mergeKey, kind);
    }

    private static (List<JsonNode?> Original, List<JsonNode?>? Patch) MergeSliceWithSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var withoutSpecial = new List<JsonNode?>();
        var replace = false;
        foreach (var v in patch)
        {
            var m = (JsonObject)v!;
            if (!m.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                withoutSpecial.Add(v);
                continue;
            }

            switch (JsonUtil.GetString(directive))
            {
                case DeleteDirective:
                    if (!m.TryGetPropertyValue(mergeKey, out var mergeValue))
                    {
                        throw NoMergeKey(m, mergeKey);
                    }

                    original = original.Where(o => !(o is JsonObject om && om.TryGetPropertyValue(mergeKey, out var ov) && ScalarEqual(ov, mergeValue))).ToList();
                    break;
                case ReplaceDirective:
                    replace = true;
                    break;
                case MergeDirective:
                    throw new PatchException("merging lists cannot yet be specified in the patch");
                default:
                    throw new PatchException($"unknown patch type: {GoValueFormat.Format(directive)} in map: {GoValueFormat.Format(m)}");
            }
        }

        return replace ? (withoutSpecial, null) : (original, withoutSpecial);
    }

    private static List<JsonNode?> MergeSliceWithoutSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, IPatchSchema? schema, Options options)
    {
        var result = new List<JsonNode?>(original);
        foreach (var v in patch)
        {
            var m = (JsonObject)v!;
            if (!m.TryGetPropertyValue(mergeKey, out var mergeValue))
            {
                throw NoMergeKey(m, mergeKey);
            }

            var idx = FindMapInSlice(result, mergeKey, mergeValue);
            if (idx >= 0)
            {
                result[idx] = MergeMap((JsonObject)result[idx]!, m, schema, options);
            }
            else
            {
                result.Add(v);
            }
        }

        return result;
    }

    private static int FindMapInSlice(List<JsonNode?> list, string key, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject m)
            {
                throw new PatchException($"value for key {i} is not a map");
            }

            if (m.TryGetPropertyValue(key, out var v) && ScalarEqual(v, value))
            {
                return i;
            }
        }

        return -1;
    }

    private static List<JsonNode?> DeduplicateScalars(List<JsonNode?> s)
    {
        var length = s.Count - 1;
        for (var i = 0; i < length; i++)
        {
            for (var j = i + 1; j <= length; j++)
            {
                if (ScalarEqual(s[i], s[j]))
                {
                    s[j] = s[length];
                    s.RemoveAt(length);
                    length--;
                    j--;
                }
            }
        }

        return s;
    }

    private static Kind SliceElementType(List<JsonNode?> a, List<JsonNode?> b)
    {
        Kind? prev = null;
        foreach (var v in a.Concat(b))
        {
            var k = KindOf(v);
            if (prev is null)
            {
                prev = k;
                if (k == Kind.Array)
                {
                    throw new PatchException(ErrNoListOfLists, unprocessable: true);
                }
            }
            else if (prev != k)
            {
                throw new PatchException($"list element types are not identical: [{GoValueFormat.Format(a)} {GoValueFormat.Format(b)}]");
            }
        }

        return prev ?? throw new PatchException("no elements in any of the given slices");
    }

    private static (List<JsonNode?> Patch, List<JsonNode?> ServerOnly) PartitionPrimitives(List<JsonNode?> original, List<JsonNode?> partitionBy)
    {
        var patch = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var v in original)
        {
            (partitionBy.Any(p => ScalarEqual(p, v)) ? patch : serverOnly).Add(v);
        }

        return (patch, serverOnly);
    }

    private static (List<JsonNode?> Patch, List<JsonNode?> ServerOnly) PartitionMaps(List<JsonNode?> original, List<JsonNode?> partitionBy, string mergeKey)
    {
        var patch = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var v in original)
        {
            var m = v as JsonObject ?? throw BadArgType("map[string]interface {}", v);
            if (!m.TryGetPropertyValue(mergeKey, out var mv))
            {
                throw NoMergeKey(m, mergeKey);
            }

            (FindMapInSlice(partitionBy, mergeKey, mv) >= 0 ? patch : serverOnly).Add(v);
        }

        return (patch, serverOnly);
    }

    private static List<JsonNode?> NormalizeElementOrder(List<JsonNode?> patch, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string mergeKey, Kind kind)
    {
        patch = NormalizeSliceOrder(patch, patchOrder, mergeKey, kind);
        serverOnly = NormalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
        return MergeSortedSlice(serverOnly, patch, serverOrder, mergeKey, kind);
    }

    private static int Index(List<JsonNode?> l, JsonNode? val, string mergeKey, Kind kind)
    {
        JsonNode? Get(JsonNode? item) => kind == Kind.Object ? (item as JsonObject)?[mergeKey] : item;
        var target = Get(val);
        for (var i = 0; i < l.Count; i++)
        {
            var cur = Get(l[i]);
            if ((target is null && cur is null) || ScalarEqual(target, cur))
            {
                return i;
            }
        }

        return -1;
    }

    private static List<JsonNode?> NormalizeSliceOrder(List<JsonNode?> toSort, List<JsonNode?> order, string mergeKey, Kind kind)
    {
        var toDelete = new List<JsonNode?>();
        if (kind == Kind.Object)
        {
            foreach (var item in toSort.Concat(order))
            {
                var m = item as JsonObject ?? throw BadArgType("map[string]interface {}", item);
                if (!m.ContainsKey(mergeKey))
                {
                    throw NoMergeKey(m, mergeKey);
                }
            }

            (toSort, toDelete) = ExtractToDeleteItems(toSort);
        }

        GoSort.SliceStable(toSort, (a, b) =>
        {
            var ii = Index(order, a, mergeKey, kind);
            if (ii >= 0)
            {
                var ij = Index(order, b, mergeKey, kind);
                if (ij >= 0)
                {
                    return ii < ij;
                }
            }

            return true;
        });
        toSort.AddRange(toDelete);
        return toSort;
    }

    private static List<JsonNode?> MergeSortedSlice(List<JsonNode?> left, List<JsonNode?> right, List<JsonNode?> serverOrder, string mergeKey, Kind kind)
    {
        var size = left.Count + right.Count;
        var s = new List<JsonNode?>(size);
        int i = 0, j = 0;
        for (var k = 0; k < size; k++)
        {
            if (i >= left.Count && j < right.Count)
            {
                s.Add(right[j++]);
            }
            else if (j >= right.Count && i < left.Count)
            {
                s.Add(left[i++]);
            }
            else
            {
                var li = Index(serverOrder, left[i], mergeKey, kind);
                var ri = Index(serverOrder, right[j], mergeKey, kind);
                if (li >= 0 && ri >= 0 && li < ri)
                {
                    s.Add(left[i++]);
                }
                else
                {
                    s.Add(right[j++]);
                }
            }
        }

        return s;
    }

    private static JsonArray ToArray(List<JsonNode?> items)
    {
        var a = new JsonArray();
        foreach (var item in items)
        {
            a.Add(item?.Parent is null ? item : item.DeepClone());
        }

        return a;
    }
}
