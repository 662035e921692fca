using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Store;

/// <summary>
/// Minimal managedFields bookkeeping for Update operations: each writer gets one entry per
/// (manager, operation, apiVersion, subresource) whose <c>fieldsV1</c> is the union of the fields it has set or
/// changed. Ownership is not taken away from other managers (server-side apply, with full semantics, belongs to
/// Skiff.Api and replaces this when it lands).
/// </summary>
internal static class ManagedFields
{
    private static readonly HashSet<string> MetadataOwned = ["labels", "annotations", "finalizers", "ownerReferences"];

    /// <summary>Records an Update by <paramref name="manager"/> on <paramref name="newObj"/> (old null for a create).</summary>
    public static void RecordUpdate(JsonObject newObj, JsonObject? oldObj, string manager, string apiVersion, string subresource, string time)
    {
        var meta = Meta.Of(newObj);
        var entries = (oldObj?["metadata"]?["managedFields"] as JsonArray)?.DeepClone() as JsonArray ?? new JsonArray();
        var changed = FieldSet(oldObj is null ? newObj : Diff(oldObj, newObj), topLevel: true);
        JsonObject? mine = null;
        foreach (var e in entries.OfType<JsonObject>())
        {
            if (e["manager"]?.GetValue<string>() == manager && e["operation"]?.GetValue<string>() == "Update"
                && e["apiVersion"]?.GetValue<string>() == apiVersion && (e["subresource"]?.GetValue<string>() ?? "") == subresource)
            {
                mine = e;
            }
        }

        if (changed.Count == 0 && mine is null)
        {
            if (entries.Count > 0)
            {
                meta["managedFields"] = entries;
            }

            return;
        }

        if (mine is null)
        {
            mine = new JsonObject { ["manager"] = manager, ["operation"] = "Update", ["apiVersion"] = apiVersion };
            entries.Add(mine);
        }

        mine["time"] = time;
        mine["fieldsType"] = "FieldsV1";
        mine["fieldsV1"] = Union(mine["fieldsV1"] as JsonObject ?? new JsonObject(), changed);
        if (subresource.Length > 0)
        {
            mine["subresource"] = subresource;
        }

        meta["managedFields"] = entries;
    }

    private static JsonObject Diff(JsonObject oldObj, JsonObject newObj)
    {
        var d = new JsonObject();
        foreach (var (k, v) in newObj)
        {
            var o = oldObj[k];
            if (JsonNode.DeepEquals(o, v))
            {
                continue;
            }

            d[k] = v is JsonObject vo && o is JsonObject oo ? Diff(oo, vo) : v?.DeepClone();
        }

        return d;
    }

    private static JsonObject FieldSet(JsonObject obj, bool topLevel)
    {
        var set = new JsonObject();
        foreach (var (k, v) in obj)
        {
            if (topLevel && k is "apiVersion" or "kind")
            {
                continue;
            }

            if (topLevel && k == "metadata")
            {
                if (v is JsonObject m)
                {
                    var ms = new JsonObject();
                    foreach (var (mk, mv) in m)
                    {
                        if (MetadataOwned.Contains(mk))
                        {
                            ms["f:" + mk] = Node(mv);
                        }
                    }

                    if (ms.Count > 0)
                    {
                        set["f:metadata"] = ms;
                    }
                }

                continue;
            }

            set["f:" + k] = Node(v);
        }

        return set;
    }

    private static JsonObject Node(JsonNode? v)
    {
        switch (v)
        {
            case JsonObject o when o.Count > 0:
                return FieldSet(o, topLevel: false);
            case JsonArray a when a.Count > 0 && a.All(e => e is JsonObject eo && eo["name"] is JsonValue):
            {
                var s = new JsonObject();
                foreach (var e in a.OfType<JsonObject>())
                {
                    var key = "k:" + new JsonObject { ["name"] = e["name"]!.DeepClone() }.ToJsonString();
                    var inner = FieldSet(e, topLevel: false);
                    inner["."] = new JsonObject();
                    s[key] = inner;
                }

                return s;
            }

            case JsonArray a when a.Count > 0 && a.All(e => e is JsonValue):
            {
                var s = new JsonObject();
                foreach (var e in a)
                {
                    s["v:" + e!.ToJsonString()] = new JsonObject();
                }

                return s;
            }

            default:
                return new JsonObject();
        }
    }

    private static JsonObject Union(JsonObject a, JsonObject b)
    {
        var r = (JsonObject)a.DeepClone();
        foreach (var (k, v) in b)
        {
            r[k] = r[k] is JsonObject ra && v is JsonObject vb ? Union(ra, vb) : v?.DeepClone();
        }

        return r;
    }
}
