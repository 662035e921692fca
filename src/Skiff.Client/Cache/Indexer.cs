using k8s;
using k8s.Models;

namespace Skiff.Client.Cache;

/// <summary>
/// The <see cref="IIndexer{T}"/>: a dictionary by key plus, per index, a map from indexed value to keys, all updated
/// together under one lock. Always has the <see cref="NamespaceIndex"/> index.
/// </summary>
public sealed class Indexer<T> : IIndexer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The name of the index by <c>metadata.namespace</c>.</summary>
    public const string NamespaceIndex = "namespace";

    private readonly object _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);

    public Indexer()
    {
        AddIndexers(new Dictionary<string, Func<T, IEnumerable<string>>>
        {
            [NamespaceIndex] = o => [o.Metadata?.NamespaceProperty ?? ""],
        });
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds or replaces the object under its key.</summary>
    public void AddOrUpdate(T obj)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_lock)
        {
            _items.TryGetValue(key, out var old);
            _items[key] = obj;
            Reindex(key, old, obj);
        }
    }

    /// <summary>Removes the object's key; returns the removed object.</summary>
    public T? Delete(string key)
    {
        lock (_lock)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }

            Reindex(key, old, null);
            return old;
        }
    }

    /// <summary>Replaces everything.</summary>
    public void Replace(IEnumerable<T> items)
    {
        lock (_lock)
        {
            _items.Clear();
            foreach (var i in _indices.Values)
            {
                i.Clear();
            }

            foreach (var obj in items)
            {
                var key = ObjectKeys.KeyOf(obj);
                _items.TryGetValue(key, out var old);
                _items[key] = obj;
                Reindex(key, old, obj);
            }
        }
    }

    public T? GetByKey(string key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    public IReadOnlyList<string> ListKeys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    public IReadOnlyList<T> ByIndex(string indexName, string indexedValue)
    {
        lock (_lock)
        {
            return [.. KeysLocked(indexName, indexedValue).Select(k => _items[k])];
        }
    }

    public IReadOnlyList<string> IndexKeys(string indexName, string indexedValue)
    {
        lock (_lock)
        {
            return [.. KeysLocked(indexName, indexedValue)];
        }
    }

    public void AddIndexers(IReadOnlyDictionary<string, Func<T, IEnumerable<string>>> indexers)
    {
        lock (_lock)
        {
            foreach (var name in indexers.Keys)
            {
                if (_indexers.ContainsKey(name))
                {
                    throw new ArgumentException($"indexer \"{name}\" already exists", nameof(indexers));
                }
            }

            foreach (var (name, fn) in indexers)
            {
                _indexers[name] = fn;
                var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                _indices[name] = index;
                foreach (var (key, obj) in _items)
                {
                    foreach (var v in fn(obj))
                    {
                        Bucket(index, v).Add(key);
                    }
                }
            }
        }
    }

    private IEnumerable<string> KeysLocked(string indexName, string value)
    {
        if (!_indices.TryGetValue(indexName, out var index))
        {
            throw new KeyNotFoundException($"index \"{indexName}\" does not exist");
        }

        return index.TryGetValue(value, out var keys) ? keys : [];
    }

    private void Reindex(string key, T? old, T? now)
    {
        foreach (var (name, fn) in _indexers)
        {
            var index = _indices[name];
            if (old is not null)
            {
                foreach (var v in fn(old))
                {
                    if (index.TryGetValue(v, out var set) && set.Remove(key) && set.Count == 0)
                    {
                        index.Remove(v);
                    }
                }
            }

            if (now is not null)
            {
                foreach (var v in fn(now))
                {
                    Bucket(index, v).Add(key);
                }
            }
        }
    }

    private static HashSet<string> Bucket(Dictionary<string, HashSet<string>> index, string value)
    {
        if (!index.TryGetValue(value, out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            index[value] = set;
        }

        return set;
    }
}
