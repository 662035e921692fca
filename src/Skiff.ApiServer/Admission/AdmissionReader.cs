using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// The reads plugins make (upstream's plugins read through informers): a get of one object and a list of one
/// namespace's objects, at <c>resourceVersion="0"</c> semantics (the watch cache may answer from memory).
/// </summary>
public sealed class AdmissionReader(IStorage storage)
{
    /// <summary>The store plugins read and write (ResourceQuota charges usage through it).</summary>
    public IStorage Storage => storage;

    /// <summary>The storage key of an object: <c>/registry/[group/]resource/[ns/]name</c>.</summary>
    public static string Key(string group, string resource, string ns, string name) =>
        Prefix(group, resource, ns) + name;

    /// <summary>The storage prefix of a resource in a namespace (every namespace when <paramref name="ns"/> is empty).</summary>
    public static string Prefix(string group, string resource, string ns)
    {
        var root = group.Length == 0 ? $"/registry/{resource}/" : $"/registry/{group}/{resource}/";
        return ns.Length == 0 ? root : $"{root}{ns}/";
    }

    /// <summary>
    /// One object with its resourceVersion, or null when absent: first from the watch cache (a list at
    /// <c>resourceVersion="0"</c> of the key as prefix, as upstream's plugins read their informers), then, on a miss,
    /// from the store itself (upstream's live lookup for objects created a moment ago).
    /// </summary>
    public async Task<JsonObject?> GetAsync(string group, string resource, string ns, string name, CancellationToken ct)
    {
        var key = Key(group, resource, ns, name);
        var cached = await storage.ListAsync(key, new ListOptions { NotOlderThan = 0 }, ct).ConfigureAwait(false);
        foreach (var item in cached.Items)
        {
            if (item.Key == key)
            {
                return Store.GenericStore.Decode(item);
            }
        }

        var kv = await storage.GetAsync(key, 0, ct).ConfigureAwait(false);
        return kv is null ? null : Store.GenericStore.Decode(kv);
    }

    /// <summary>Every object of a resource in <paramref name="ns"/> ("" = cluster-scoped or all namespaces).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string group, string resource, string ns, CancellationToken ct)
    {
        var result = await storage.ListAsync(Prefix(group, resource, ns), new ListOptions { NotOlderThan = 0 }, ct).ConfigureAwait(false);
        var items = new List<JsonObject>(result.Items.Count);
        foreach (var kv in result.Items)
        {
            items.Add(Store.GenericStore.Decode(kv));
        }

        return items;
    }
}
