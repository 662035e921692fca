using System.Diagnostics.CodeAnalysis;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Cache;

/// <summary>
/// A point-in-time copy of the cache's nodes that one scheduling cycle reads without locks (upstream
/// <c>cache.Snapshot</c>); only the scheduling loop uses it.
/// </summary>
public sealed class Snapshot
{
    private readonly Dictionary<string, NodeInfo> _byName = new(StringComparer.Ordinal);
    private List<NodeInfo> _list = [];

    /// <summary>The cache generation this snapshot reflects.</summary>
    public long Generation { get; set; } = -1;

    /// <summary>Every node, in a stable (name) order.</summary>
    public IReadOnlyList<NodeInfo> Nodes => _list;

    internal IEnumerable<string> Names => _byName.Keys;

    public bool TryGet(string name, [MaybeNullWhen(false)] out NodeInfo info) => _byName.TryGetValue(name, out info);

    internal void Set(NodeInfo info) => _byName[info.Name] = info;

    internal bool Remove(string name) => _byName.Remove(name);

    internal void Reindex() => _list = [.. _byName.Values.OrderBy(n => n.Name, StringComparer.Ordinal)];
}
