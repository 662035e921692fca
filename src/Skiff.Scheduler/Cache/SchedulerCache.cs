using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Cache;

/// <summary>
/// What the scheduler believes about the cluster (upstream <c>backend/cache</c>): every node with the pods bound to it,
/// plus <em>assumed</em> pods — pods the scheduler chose a node for and is binding, counted on that node at once so
/// the next cycle sees the resources taken. An assumed pod is confirmed when the informer reports it bound
/// (<see cref="AddPod"/>), or forgotten when binding fails (<see cref="ForgetPod"/>). <see cref="UpdateSnapshot"/>
/// copies only the nodes that changed since the last snapshot: as upstream's cache, the nodes are kept in a list with
/// the most recently changed first, so the update walks only the changed ones (not every node per cycle). Thread-safe.
/// </summary>
public sealed class SchedulerCache
{
    private readonly object _lock = new();
    private readonly Dictionary<string, LinkedListNode<NodeInfo>> _nodes = new(StringComparer.Ordinal);
    private readonly LinkedList<NodeInfo> _recent = new();
    private readonly Dictionary<string, (string Node, bool Assumed)> _pods = new(StringComparer.Ordinal);
    private long _generation;
    private long _removals;

    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count(n => !IsPlaceholder(n.Value.Value));
            }
        }
    }

    /// <summary>Whether the pod with <paramref name="uid"/> is assumed and not yet confirmed.</summary>
    public bool IsAssumed(string uid)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(uid, out var p) && p.Assumed;
        }
    }

    public void AddNode(V1Node node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node.Metadata.Name, out var link))
            {
                link.Value.SetNode(node);
            }
            else
            {
                link = _recent.AddFirst(new NodeInfo(node));
                _nodes[node.Metadata.Name] = link;
            }

            Touch(link);
        }
    }

    public void RemoveNode(V1Node node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node.Metadata.Name, out var link))
            {
                if (link.Value.Pods.Count == 0)
                {
                    Drop(link);
                }
                else
                {
                    // Pods still point at it: keep their accounting under a placeholder until they go.
                    link.Value.SetNode(new V1Node { Metadata = new V1ObjectMeta { Name = node.Metadata.Name } });
                    Touch(link);
                }
            }

            _generation++;
        }
    }

    /// <summary>Counts <paramref name="pod"/> on <paramref name="nodeName"/> before it is bound.</summary>
    public void AssumePod(V1Pod pod, string nodeName)
    {
        lock (_lock)
        {
            if (_pods.ContainsKey(pod.Metadata.Uid))
            {
                throw new InvalidOperationException($"pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} is in the cache already");
            }

            AddLocked(pod, nodeName, assumed: true);
        }
    }

    /// <summary>Binding <paramref name="pod"/> failed: stop counting it.</summary>
    public void ForgetPod(V1Pod pod)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(pod.Metadata.Uid, out var p) && p.Assumed)
            {
                RemoveLocked(pod.Metadata.Uid, p.Node);
            }
        }
    }

    /// <summary>A bound pod appeared (or an assumed one was confirmed): count it on its node.</summary>
    public void AddPod(V1Pod pod)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(pod.Metadata.Uid, out var p))
            {
                RemoveLocked(pod.Metadata.Uid, p.Node);
            }

            AddLocked(pod, pod.Spec.NodeName, assumed: false);
        }
    }

    public void UpdatePod(V1Pod pod) => AddPod(pod);

    public void RemovePod(V1Pod pod)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(pod.Metadata.Uid, out var p))
            {
                RemoveLocked(pod.Metadata.Uid, p.Node);
            }
        }
    }

    /// <summary>
    /// Brings <paramref name="snapshot"/> up to date: copies the nodes whose generation changed, drops removed ones.
    /// </summary>
    public void UpdateSnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            if (snapshot.Generation == _generation)
            {
                return;
            }

            for (var link = _recent.First; link is not null && link.Value.Generation > snapshot.Generation; link = link.Next)
            {
                var info = link.Value;
                if (IsPlaceholder(info))
                {
                    snapshot.Remove(info.Name);
                }
                else if (!snapshot.TryGet(info.Name, out var existing) || existing.Generation != info.Generation)
                {
                    snapshot.Set(info.Clone());
                }
            }

            if (snapshot.Removals != _removals)
            {
                // Nodes left the cache since the last update: drop them (rare, so a walk over the names is fine).
                foreach (var name in snapshot.Names.Where(n => !_nodes.ContainsKey(n)).ToList())
                {
                    snapshot.Remove(name);
                }

                snapshot.Removals = _removals;
            }

            snapshot.Reindex();
            snapshot.Generation = _generation;
        }
    }

    private void AddLocked(V1Pod pod, string nodeName, bool assumed)
    {
        if (!_nodes.TryGetValue(nodeName, out var link))
        {
            link = _recent.AddFirst(new NodeInfo(new V1Node { Metadata = new V1ObjectMeta { Name = nodeName } }));
            _nodes[nodeName] = link;
        }

        link.Value.AddPod(pod);
        Touch(link);
        _pods[pod.Metadata.Uid] = (nodeName, assumed);
    }

    private void RemoveLocked(string uid, string nodeName)
    {
        _pods.Remove(uid);
        if (_nodes.TryGetValue(nodeName, out var link))
        {
            var info = link.Value;
            info.RemovePod(uid);
            Touch(link);
            if (info.Pods.Count == 0 && IsPlaceholder(info))
            {
                Drop(link);
            }
        }
    }

    /// <summary>A node that was deleted while pods still pointed at it (or that is not yet known).</summary>
    private static bool IsPlaceholder(NodeInfo info) => info.Node.Metadata.Uid is null && info.Node.Status is null;

    /// <summary>Marks <paramref name="link"/>'s node changed: a new generation, and first in the recency list.</summary>
    private void Touch(LinkedListNode<NodeInfo> link)
    {
        link.Value.Generation = ++_generation;
        if (link != _recent.First)
        {
            _recent.Remove(link);
            _recent.AddFirst(link);
        }
    }

    private void Drop(LinkedListNode<NodeInfo> link)
    {
        _nodes.Remove(link.Value.Name);
        _recent.Remove(link);
        _removals++;
    }
}
