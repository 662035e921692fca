using System.Diagnostics.CodeAnalysis;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Cache;

/// <summary>
/// A point-in-time copy of the cache's nodes that one scheduling cycle reads without locks (upstream
/// <c>cache.Snapshot</c>); only the scheduling loop uses it. A node that changed replaces its copy in place (upstream
/// overwrites the <c>NodeInfo</c> too); the name-ordered list is rebuilt only when nodes come or go, so a cycle that
/// assumed one pod costs one copy, not a sort of every node. As upstream's snapshot it also keeps the lists of nodes
/// with pods that have (required anti-)affinity, rebuilt only when such a node changes, so InterPodAffinity walks them
/// instead of every node for the common pod without terms.
/// </summary>
public sealed class Snapshot
{
    private readonly Dictionary<string, int> _position = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeInfo> _byName = new(StringComparer.Ordinal);
    private List<NodeInfo> _list = [];
    private List<NodeInfo> _withAffinity = [];
    private List<NodeInfo> _withRequiredAntiAffinity = [];
    private bool _orderStale;
    private bool _affinityStale;

    /// <summary>The cache generation this snapshot reflects.</summary>
    public long Generation { get; set; } = -1;

    /// <summary>The cache's membership generation (nodes removed) this snapshot reflects.</summary>
    internal long Removals { get; set; }

    /// <summary>Every node, in a stable (name) order.</summary>
    public IReadOnlyList<NodeInfo> Nodes => _list;

    /// <summary>The nodes with pods that have pod affinity or anti-affinity, in name order.</summary>
    public IReadOnlyList<NodeInfo> NodesWithAffinityPods => _withAffinity;

    /// <summary>The nodes with pods that have required pod anti-affinity, in name order.</summary>
    public IReadOnlyList<NodeInfo> NodesWithRequiredAntiAffinityPods => _withRequiredAntiAffinity;

    internal IEnumerable<string> Names => _byName.Keys;

    internal int Count => _byName.Count;

    public bool TryGet(string name, [MaybeNullWhen(false)] out NodeInfo info) => _byName.TryGetValue(name, out info);

    /// <summary>Adds or replaces <paramref name="info"/>; a replacement keeps its place in <see cref="Nodes"/>.</summary>
    internal void Set(NodeInfo info)
    {
        _affinityStale |= info.HasPodsWithAffinity || (_byName.TryGetValue(info.Name, out var old) && old.HasPodsWithAffinity);
        if (!_orderStale && _position.TryGetValue(info.Name, out var i))
        {
            _list[i] = info;
        }
        else
        {
            _orderStale = true;
        }

        _byName[info.Name] = info;
    }

    internal bool Remove(string name)
    {
        if (!_byName.Remove(name, out var old))
        {
            return false;
        }

        _affinityStale |= old.HasPodsWithAffinity;
        _orderStale = true;
        return true;
    }

    /// <summary>Rebuilds the name order after nodes came or went (a no-op otherwise).</summary>
    internal void Reindex()
    {
        if (_orderStale)
        {
            _list = [.. _byName.Values.OrderBy(n => n.Name, StringComparer.Ordinal)];
            _position.Clear();
            for (var i = 0; i < _list.Count; i++)
            {
                _position[_list[i].Name] = i;
            }
        }

        if (_orderStale || _affinityStale)
        {
            _withAffinity = [.. _list.Where(n => n.HasPodsWithAffinity)];
            _withRequiredAntiAffinity = [.. _list.Where(n => n.HasPodsWithRequiredAntiAffinity)];
        }

        _orderStale = false;
        _affinityStale = false;
    }
}
