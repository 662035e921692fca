namespace Skiff.Client.Cache;

/// <summary>
/// A thread-safe keyed store with secondary indexes (client-go <c>Indexer</c> over <c>threadSafeMap</c>). Objects in
/// it are shared with every reader: treat them as read-only and deep-copy (<see cref="Rest.KubernetesSerialization.DeepCopy{T}"/>)
/// before changing one.
/// </summary>
public interface IIndexer<T>
{
    int Count { get; }

    T? GetByKey(string key);

    IReadOnlyList<T> List();

    IReadOnlyList<string> ListKeys();

    /// <summary>The objects whose index function <paramref name="indexName"/> yields <paramref name="indexedValue"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such index.</exception>
    IReadOnlyList<T> ByIndex(string indexName, string indexedValue);

    /// <summary>The keys of the objects that <see cref="ByIndex"/> returns.</summary>
    IReadOnlyList<string> IndexKeys(string indexName, string indexedValue);

    /// <summary>Adds index functions; existing objects are indexed at once.</summary>
    /// <exception cref="ArgumentException">An index with that name exists.</exception>
    void AddIndexers(IReadOnlyDictionary<string, Func<T, IEnumerable<string>>> indexers);
}
