using k8s;
using k8s.Models;
using Skiff.Api.Selectors;

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
    public IReadOnlyList<T> List(string? ns = null, IReadOnlyDictionary<string, string>? matchLabels = null) =>
        List(ns, LabelSelector.FromSet(matchLabels));

    /// <summary>
    /// All objects (of one namespace when <paramref name="ns"/> is given) matching <paramref name="selector"/>, with
    /// the full label-selector grammar (<c>LabelSelector.Parse("app in (a,b),!legacy")</c>).
    /// </summary>
    public IReadOnlyList<T> List(string? ns, LabelSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var items = ns is null ? _indexer.List() : _indexer.ByIndex(Indexer<T>.NamespaceIndex, ns);
        if (selector.IsEmpty)
        {
            return items;
        }

        return [.. items.Where(o => selector.Matches(o.Metadata?.Labels as IReadOnlyDictionary<string, string> ?? ToReadOnly(o.Metadata?.Labels)))];
    }

    private static IReadOnlyDictionary<string, string>? ToReadOnly(IDictionary<string, string>? labels) =>
        labels is null ? null : new Dictionary<string, string>(labels, StringComparer.Ordinal);
}
