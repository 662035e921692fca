using k8s;
using k8s.Models;

namespace Skiff.Client.Cache;

/// <summary>
/// Read access to an informer's cache (client-go generated listers): get by namespace/name, list all, list a
/// namespace, optionally filtered by labels. Returned objects are shared: read-only.
/// </summary>
public sealed class Lister<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IIndexer<T> _indexer;

    public Lister(IIndexer<T> indexer)
    {
        _indexer = indexer;
    }

    /// <summary>The object, or null.</summary>
    public T? Get(string? ns, string name) => _indexer.GetByKey(ObjectKeys.KeyOf(ns, name));

    /// <summary>All objects (of one namespace when <paramref name="ns"/> is given) whose labels include <paramref name="matchLabels"/>.</summary>
    public IReadOnlyList<T> List(string? ns = null, IReadOnlyDictionary<string, string>? matchLabels = null)
    {
        var items = ns is null ? _indexer.List() : _indexer.ByIndex(Indexer<T>.NamespaceIndex, ns);
        if (matchLabels is null || matchLabels.Count == 0)
        {
            return items;
        }

        return [.. items.Where(o => matchLabels.All(kv => o.Metadata?.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value))];
    }
}
