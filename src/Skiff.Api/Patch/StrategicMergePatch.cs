using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Internal;

namespace Skiff.Api.Patch;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>), following apimachinery
/// <c>pkg/util/strategicpatch</c> (v0.32) as the API server applies it: lists with patch strategy <c>merge</c> are
/// merged by their patch merge key (or as sets of primitives), other lists are replaced, maps merge, <c>null</c>
/// deletes; directives <c>$patch: replace|merge|delete</c>, <c>$deleteFromPrimitiveList/&lt;field&gt;</c>,
/// <c>$setElementOrder/&lt;field&gt;</c> and <c>$retainKeys</c> (strategy <c>retainKeys</c>) are honoured, with
/// upstream's element ordering. Schema facts come from <see cref="IPatchSchema"/>; unknown fields merge like a JSON
/// merge patch. Inputs are not modified; errors throw <see cref="PatchException"/> with upstream's texts.
/// </summary>
public static partial class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string DeleteDirective = "delete";
    private const string ReplaceDirective = "replace";
    private const string MergeDirective = "merge";
    private const string RetainKeysStrategy = "retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string RetainKeysDirective = "$" + RetainKeysStrategy;
    private const string SetElementOrderPrefix = "$setElementOrder";

    /// <summary>Upstream's <c>invalid JSON document</c> (400).</summary>
    public const string ErrBadJsonDoc = "invalid JSON document";

    /// <summary>Upstream's <c>lists of lists are not supported</c> (422).</summary>
    public const string ErrNoListOfLists = "lists of lists are not supported";

    private const string ErrBadPatchFormatForPrimitiveList = "invalid patch format of primitive list";
    private const string ErrBadPatchFormatForRetainKeys = "invalid patch format of retainKeys";
    private const string ErrBadPatchFormatForSetElementOrderList = "invalid patch format of setElementOrder list";

    private sealed record Options(bool MergeParallelList, bool IgnoreUnmatchedNulls);

    private enum Kind
    {
        Null,
        Object,
        Array,
        String,
        Number,
        Bool,
    }

    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="original"/> (null: empty object).</summary>
    public static JsonObject Apply(JsonObject? original, JsonObject patch, IPatchSchema? schema)
    {
        var orig = original?.DeepClone() as JsonObject ?? new JsonObject();
        var p = (JsonObject)patch.DeepClone();
        return MergeMap(orig, p, schema, new Options(MergeParallelList: true, IgnoreUnmatchedNulls: true));
    }

    /// <summary>Parses and applies a patch document; a patch that is not a JSON object is upstream's 400 <c>invalid JSON document</c>.</summary>
    public static JsonObject Apply(JsonObject? original, string patchJson, IPatchSchema? schema)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(patchJson);
        }
        catch (JsonException)
        {
            throw new PatchException(ErrBadJsonDoc);
        }

        return node is JsonObject o ? Apply(original, o, schema) : node is null ? Apply(original, new JsonObject(), schema) : throw new PatchException(ErrBadJsonDoc);
    }

    private static Kind KindOf(JsonNode? n) => JsonEquality.Kind(n) switch
    {
        JsonValueKind.Object => Kind.Object,
        JsonValueKind.Array => Kind.Array,
        JsonValueKind.String => Kind.String,
        JsonValueKind.Number => Kind.Number,
        JsonValueKind.True or JsonValueKind.False => Kind.Bool,
        _ => Kind.Null,
    };

    private static string GoTypeName(JsonNode? n) => KindOf(n) switch
    {
        Kind.Object => "map[string]interface {}",
        Kind.Array => "[]interface {}",
        Kind.String => "string",
        Kind.Number => "float64",
        Kind.Bool => "bool",
        _ => "%!s(<nil>)",
    };

    private static PatchException BadArgType(string expected, JsonNode? actual) =>
        new($"expected a {expected}, but received a {GoTypeName(actual)}");

    private static PatchException NoMergeKey(JsonObject m, string key) =>
        new($"map: {GoValueFormat.Format(m)} does not contain declared merge key: {key}");

    private static JsonNode? Detach(JsonNode? n)
    {
        if (n?.Parent is JsonObject po)
        {
            var name = n.GetPropertyName();
            po.Remove(name);
        }
        else if (n?.Parent is JsonArray pa)
        {
            pa.Remove(n);
        }

        return n;
    }

    private static void Set(JsonObject o, string key, JsonNode? value) => o[key] = value?.Parent is null ? value : value.DeepClone();

    private static bool ScalarEqual(JsonNode? a, JsonNode? b) =>
        KindOf(a) is not (Kind.Object or Kind.Array) && KindOf(b) is not (Kind.Object or Kind.Array) && JsonEquality.Equal(a, b);

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, IPatchSchema? schema, Options options)
    {
        if (patch.TryGetPropertyValue(DirectiveMarker, out var directive))
        {
            return HandleDirectiveInMergeMap(directive, patch);
        }

        ApplyRetainKeysDirective(original, patch, options);
        MergePatchIntoOriginal(original, patch, schema, options);

        foreach (var k0 in patch.Select(kv => kv.Key).ToList())
        {
            if (!patch.TryGetPropertyValue(k0, out var patchV))
            {
                continue;
            }

            var k = k0;
            var isDeleteList = false;
            if (k.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                if (!options.MergeParallelList)
                {
                    Set(original, k, patchV);
                    continue;
                }

                k = ExtractKey(k, DeleteFromPrimitiveListPrefix);
                isDeleteList = true;
            }

            if (patchV is null)
            {
                original.Remove(k);
                if (options.IgnoreUnmatchedNulls)
                {
                    continue;
                }
            }

            if (!original.TryGetPropertyValue(k, out var origV))
            {
                if (!isDeleteList)
                {
                    ReplaceWithPatchValue(original, k, patchV, options);
                }

                continue;
            }

            if (KindOf(origV) != KindOf(patchV))
            {
                if (!isDeleteList)
                {
                    ReplaceWithPatchValue(original, k, patchV, options);
                }

                continue;
            }

            switch (KindOf(origV))
            {
                case Kind.Object:
                {
                    var field = schema?.Field(k);
                    var (_, strategy) = ExtractRetainKeysPatchStrategy(field?.PatchStrategies);
                    var merged = MergeMapHandler((JsonObject)origV!, (JsonObject)patchV!, field, strategy, options);
                    if (!ReferenceEquals(merged, origV))
                    {
                        Set(original, k, merged);
                    }

                    break;
                }

                case Kind.Array:
                {
                    var field = schema?.Field(k);
                    var (_, strategy) = ExtractRetainKeysPatchStrategy(field?.PatchStrategies);
                    var merged = MergeSliceHandler((JsonArray)origV!, (JsonArray)patchV!, field?.Items, strategy, field?.PatchMergeKey ?? "", isDeleteList, options);
                    Set(original, k, ToArray(merged));
                    break;
                }

                default:
                    ReplaceWithPatchValue(original, k, patchV, options, discardNulls: false);
                    break;
            }
        }

        return original;
    }

    private static void ReplaceWithPatchValue(JsonObject original, string k, JsonNode? patchV, Options options, bool discardNulls = true)
    {
        if (discardNulls && options.IgnoreUnmatchedNulls)
        {
            DiscardNullValuesFromPatch(patchV);
        }

        var (v, keep) = RemoveDirectives(patchV);
        if (keep)
        {
            Set(original, k, v);
        }
        else
        {
            original.Remove(k);
        }
    }

    private static JsonObject HandleDirectiveInMergeMap(JsonNode? directive, JsonObject patch)
    {
        var d = JsonUtil.GetString(directive);
        if (d == ReplaceDirective)
        {
            patch.Remove(DirectiveMarker);
            return patch;
        }

        if (d == DeleteDirective)
        {
            return new JsonObject();
        }

        throw new PatchException($"unknown patch type: {GoValueFormat.Format(directive)} in map: {GoValueFormat.Format(patch)}");
    }

    private static string ExtractKey(string s, string prefix)
    {
        var parts = s.Split('/', 2);
        if (parts.Length <= 1 || parts[0] != prefix)
        {
            throw prefix switch
            {
                DeleteFromPrimitiveListPrefix => new PatchException(ErrBadPatchFormatForPrimitiveList),
                SetElementOrderPrefix => new PatchException(ErrBadPatchFormatForSetElementOrderList),
                _ => new PatchException($"fail to find unknown prefix \"{prefix}\" in {s}\n"),
            };
        }

        return parts[1];
    }

    private static (bool RetainKeys, string Strategy) ExtractRetainKeysPatchStrategy(IReadOnlyList<string>? strategies)
    {
        if (strategies is null || strategies.Count == 0)
        {
            return (false, "");
        }

        if (strategies.Count == 1)
        {
            return strategies[0] == RetainKeysStrategy ? (true, "") : (false, strategies[0]);
        }

        if (strategies.Count == 2)
        {
            if (strategies[0] == RetainKeysStrategy)
            {
                return (true, strategies[1]);
            }

            if (strategies[1] == RetainKeysStrategy)
            {
                return (true, strategies[0]);
            }
        }

        throw new PatchException($"unexpected patch strategy: [{string.Join(" ", strategies)}]");
    }

    private static void ApplyRetainKeysDirective(JsonObject original, JsonObject patch, Options options)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retain))
        {
            return;
        }

        patch.Remove(RetainKeysDirective);
        if (!options.MergeParallelList)
        {
            if (original.TryGetPropertyValue(RetainKeysDirective, out var inOriginal))
            {
                if (!JsonEquality.Equal(inOriginal, retain))
                {
                    throw new PatchException($"{GoValueFormat.Format(inOriginal)} and {GoValueFormat.Format(retain)} are not deep equal: this may happen when calculating the 3-way diff patch");
                }
            }
            else
            {
                Set(original, RetainKeysDirective, retain);
            }

            return;
        }

        if (retain is not JsonArray list)
        {
            throw new PatchException(ErrBadPatchFormatForRetainKeys);
        }

        var keep = new HashSet<string>(list.Select(JsonUtil.GetString).Where(s => s is not null)!, StringComparer.Ordinal);
        foreach (var (k, v) in patch)
        {
            if (v is null || k.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal) || k.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!keep.Contains(k))
            {
                throw new PatchException(ErrBadPatchFormatForRetainKeys);
            }
        }

        foreach (var k in original.Select(kv => kv.Key).Where(k => !keep.Contains(k)).ToList())
        {
            original.Remove(k);
        }
    }

    private static void MergePatchIntoOriginal(JsonObject original, JsonObject patch, IPatchSchema? schema, Options options)
    {
        foreach (var key in patch.Select(kv => kv.Key).Where(k => k.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            var setOrder = patch[key];
            if (!options.MergeParallelList)
            {
                if (original.TryGetPropertyValue(key, out var inOriginal))
                {
                    if (!JsonEquality.Equal(inOriginal, setOrder))
                    {
                        throw new PatchException(ErrBadPatchFormatForSetElementOrderList);
                    }
                }
                else
                {
                    Set(original, key, setOrder);
                }
            }

            patch.Remove(key);
            if (setOrder is not JsonArray setOrderList)
            {
                throw BadArgType("[]interface {}", setOrder);
            }

            var originalKey = ExtractKey(key, SetElementOrderPrefix);
            var foundOriginal = original.TryGetPropertyValue(originalKey, out var originalList);
            var foundPatch = patch.TryGetPropertyValue(originalKey, out var patchList);
            List<JsonNode?>? originalFieldValue = null;
            List<JsonNode?>? patchFieldValue = null;
            if (foundOriginal)
            {
                originalFieldValue = (originalList as JsonArray)?.ToList() ?? throw BadArgType("[]interface {}", originalList);
            }

            if (foundPatch)
            {
                patchFieldValue = (patchList as JsonArray)?.ToList() ?? throw BadArgType("[]interface {}", patchList);
            }

            var field = schema?.Field(originalKey);
            var (_, strategy) = ExtractRetainKeysPatchStrategy(field?.PatchStrategies);
            var mergeKey = field?.PatchMergeKey ?? "";
            ValidatePatchWithSetOrderList(patchFieldValue, setOrderList.ToList(), mergeKey);

            List<JsonNode?> merged;
            if (foundOriginal && !foundPatch)
            {
                merged = originalFieldValue!;
            }
            else if (!foundOriginal && foundPatch)
            {
                var (v, keep) = RemoveDirectives(patchList);
                if (!keep)
                {
                    continue;
                }

                merged = ((JsonArray)v!).ToList();
            }
            else if (foundOriginal && foundPatch)
            {
                merged = MergeSliceHandler((JsonArray)originalList!, (JsonArray)patchList!, field?.Items, strategy, mergeKey, false, options);
            }
            else
            {
                continue;
            }

            var order = setOrderList.ToList();
            var (patchItems, serverOnly) = mergeKey.Length == 0
                ? PartitionPrimitives(merged, order)
                : PartitionMaps(merged, order, mergeKey);
            var kind = SliceElementType(originalFieldValue ?? new List<JsonNode?>(), patchFieldValue ?? new List<JsonNode?>());
            var both = NormalizeElementOrder(patchItems, serverOnly, order, originalFieldValue ?? new List<JsonNode?>(), mergeKey, kind);
            Set(original, originalKey, ToArray(both));
            patch.Remove(originalKey);
        }
    }

    private static void ValidatePatchWithSetOrderList(List<JsonNode?>? patchList, List<JsonNode?> setOrderList, string mergeKey)
    {
        if (patchList is null || setOrderList.Count == 0 || patchList.Count == 0)
        {
            return;
        }

        var nonDelete = mergeKey.Length > 0 ? ExtractToDeleteItems(patchList).NonDelete : patchList;
        int pi = 0, si = 0;
        while (pi < nonDelete.Count && si < setOrderList.Count)
        {
            if (ContainsDirectiveMarker(nonDelete[pi]))
            {
                pi++;
                continue;
            }

            if (MergeKeyValueEqual(nonDelete[pi], setOrderList[si], mergeKey))
            {
                pi++;
            }

            si++;
        }

        if (pi < nonDelete.Count && si >= setOrderList.Count)
        {
            throw new PatchException($"The order in patch list:\n{GoValueFormat.Format(patchList)}\n doesn't match {SetElementOrderPrefix} list:\n{GoValueFormat.Format(setOrderList)}\n");
        }
    }

    private static bool ContainsDirectiveMarker(JsonNode? item) => item is JsonObject m && m.ContainsKey(DirectiveMarker);

    private static bool MergeKeyValueEqual(JsonNode? left, JsonNode? right, string mergeKey)
    {
        if (mergeKey.Length == 0)
        {
            return ScalarEqual(left, right);
        }

        var l = left as JsonObject ?? throw BadArgType("map[string]interface {}", left);
        var r = right as JsonObject ?? throw BadArgType("map[string]interface {}", right);
        if (!l.TryGetPropertyValue(mergeKey, out var lv))
        {
            throw NoMergeKey(l, mergeKey);
        }

        if (!r.TryGetPropertyValue(mergeKey, out var rv))
        {
            throw NoMergeKey(r, mergeKey);
        }

        return ScalarEqual(lv, rv);
    }

    private static (List<JsonNode?> NonDelete, List<JsonNode?> ToDelete) ExtractToDeleteItems(List<JsonNode?> l)
    {
        var nonDelete = new List<JsonNode?>();
        var toDelete = new List<JsonNode?>();
        foreach (var v in l)
        {
            var m = v as JsonObject ?? throw BadArgType("map[string]interface {}", v);
            if (m.TryGetPropertyValue(DirectiveMarker, out var d) && JsonUtil.GetString(d) == DeleteDirective)
            {
                toDelete.Add(v);
            }
            else
            {
                nonDelete.Add(v);
            }
        }

        return (nonDelete, toDelete);
    }

    private static (JsonNode? Value, bool Keep) RemoveDirectives(JsonNode? obj)
    {
        switch (obj)
        {
            case null:
                return (null, true);
            case JsonObject o:
                if (o.ContainsKey(DirectiveMarker))
                {
                    return (null, false);
                }

                foreach (var k in o.Select(kv => kv.Key).ToList())
                {
                    var (v, keep) = RemoveDirectives(o[k]);
                    if (!keep)
                    {
                        o.Remove(k);
                    }
                    else if (!ReferenceEquals(v, o[k]))
                    {
                        o[k] = Detach(v);
                    }
                }

                return (o, true);
            case JsonArray a:
                var items = a.ToList();
                var res = new JsonArray();
                a.Clear();
                foreach (var item in items)
                {
                    var (v, keep) = RemoveDirectives(item);
                    if (keep)
                    {
                        res.Add(Detach(v));
                    }
                }

                return (res, true);
            default:
                return (obj, true);
        }
    }

    private static void DiscardNullValuesFromPatch(JsonNode? patchV)
    {
        switch (patchV)
        {
            case JsonObject o:
                foreach (var k in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
                {
                    o.Remove(k);
                }

                foreach (var (_, v) in o)
                {
                    DiscardNullValuesFromPatch(v);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    DiscardNullValuesFromPatch(v);
                }

                break;
        }
    }

    private static JsonObject MergeMapHandler(JsonObject original, JsonObject patch, IPatchSchema? schema, string strategy, Options options) =>
        strategy != ReplaceDirective ? MergeMap(original, patch, schema, options) : patch;
}
