using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// The reads plugins make (upstream's plugins read through informers): a get of one object and a list of one
/// namespace's objects, at <c>resourceVersion="0"</c> semantics (the watch cache may answer from memory). As an
/// informer's store, each version of an object is decoded once and the same <see cref="JsonObject"/> is handed to
/// every request that reads it: callers must not change what they get (copy with <c>DeepClone</c> first).
/// </summary>
public sealed class AdmissionReader(IStorage storage)
{
    private const int MaxDecoded = 16384;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Decoded> _decoded = new(StringComparer.Ordinal);
    private int _decodedCount;

    /// <summary>The store plugins read and write (ResourceQuota charges usage through it).</summary>
    public IStorage Storage => storage;

    /// <summary>The storage key of an object: <c>/registry/[group/]resource/[ns/]name</c> (one string, no intermediate ones).</summary>
    public static string Key(string group, string resource, string ns, string name) => (group.Length == 0, ns.Length == 0) switch
    {
        (true, true) => string.Concat("/registry/", resource, "/", name),
        (true, false) => string.Concat("/registry/", resource, "/", ns, "/", name),
        (false, true) => string.Concat("/registry/", group, "/", resource, "/", name),
        _ => string.Concat("/registry/", group, "/", resource, "/", ns, "/", name),
    };

    /// <summary>The storage prefix of a resource in a namespace (every namespace when <paramref name="ns"/> is empty).</summary>
    public static string Prefix(string group, string resource, string ns)
    {
        var root = group.Length == 0 ? $"/registry/{resource}/" : $"/registry/{group}/{resource}/";
        return ns.Length == 0 ? root : $"{root}{ns}/";
    }

    /// <summary>
    /// One object with its resourceVersion, or null when absent: first from the watch cache (its current version, as
    /// upstream's plugins read their informers), then, on a miss, from the store itself (upstream's live lookup for
    /// objects created a moment ago). A hit in a loaded cache completes synchronously and allocates nothing here.
    /// </summary>
    public ValueTask<JsonObject?> GetAsync(string group, string resource, string ns, string name, CancellationToken ct)
    {
        var key = Key(group, resource, ns, name);
        if (storage is Storage.Cacher.CachingStorage cache && cache.TryGetCached(key, 0, out var hit) && hit is not null)
        {
            return new ValueTask<JsonObject?>(Decode(hit));
        }

        return new ValueTask<JsonObject?>(GetListedOrLiveAsync(key, ct));
    }

    /// <summary>The key from a list at <c>resourceVersion="0"</c> (waiting for the cache to load), else from the store.</summary>
    private async Task<JsonObject?> GetListedOrLiveAsync(string key, CancellationToken ct)
    {
        var cached = await storage.ListAsync(key, new ListOptions { NotOlderThan = 0 }, ct).ConfigureAwait(false);
        foreach (var item in cached.Items)
        {
            if (item.Key == key)
            {
                return Decode(item);
            }
        }

        var kv = await storage.GetAsync(key, 0, ct).ConfigureAwait(false);
        return kv is null ? null : Decode(kv);
    }

    /// <summary>Every object of a resource in <paramref name="ns"/> ("" = cluster-scoped or all namespaces).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string group, string resource, string ns, CancellationToken ct)
    {
        var result = await storage.ListAsync(Prefix(group, resource, ns), new ListOptions { NotOlderThan = 0 }, ct).ConfigureAwait(false);
        var items = new List<JsonObject>(result.Items.Count);
        foreach (var kv in result.Items)
        {
            items.Add(Decode(kv));
        }

        return items;
    }

    /// <summary>The object of <paramref name="kv"/>, decoded once per version (shared: read only).</summary>
    private JsonObject Decode(KeyValue kv)
    {
        if (_decoded.TryGetValue(kv.Key, out var known) && known.Revision == kv.ModRevision)
        {
            return known.Object;
        }

        var obj = Store.GenericStore.Decode(kv);
        Materialize(obj); // a parsed JsonNode fills its children on first access: do it now, before threads share it
        if (Interlocked.Increment(ref _decodedCount) > MaxDecoded)
        {
            _decoded.Clear();
            Interlocked.Exchange(ref _decodedCount, 0);
        }

        _decoded[kv.Key] = new Decoded(kv.ModRevision, obj);
        return obj;
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Materialize(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Materialize(child);
                }

                break;
        }
    }

    private sealed record Decoded(long Revision, JsonObject Object);
}
