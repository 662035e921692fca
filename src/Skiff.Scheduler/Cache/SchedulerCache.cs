using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Cache;

/// <summary>
/// What the scheduler believes about the cluster (upstream <c>backend/cache</c>): every node with the pods bound to it,
/// plus <em>assumed</em> pods — pods the scheduler chose a node for and is binding, counted on that node at once so
/// the next cycle sees the resources taken. An assumed pod is confirmed when the informer reports it bound
/// (<see cref="AddPod"/>), or forgotten when binding fails (<see cref="ForgetPod"/>). <see cref="UpdateSnapshot"/>
/// copies only the nodes that changed since the last snapshot. Thread-safe.
/// </summary>
public sealed class SchedulerCache
{
    private readonly object _lock = new();
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, bool Assumed)> _pods = new(StringComparer.Ordinal);
    private long _generation;

    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count(n => !(n.Value.Node.Metadata.Uid is null && n.Value.Node.Status is null));
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
            if (_nodes.TryGetValue(node.Metadata.Name, out var info))
            {
                info.SetNode(node);
            }
            else
            {
                info = new NodeInfo(node);
                _nodes[node.Metadata.Name] = info;
            }

            info.Generation = ++_generation;
        }
    }

    public void RemoveNode(V1Node node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node.Metadata.Name, out var info))
            {
                if (info.Pods.Count == 0)
                {
                    _nodes.Remove(node.Metadata.Name);
                }
                else
                {
                    // Pods still point at it: keep their accounting under a placeholder until they go.
                    info.SetNode(new V1Node { Metadata = new V1ObjectMeta { Name = node.Metadata.Name } });
                    info.Generation = ++_generation;
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

            var changed = false;
            foreach (var (name, info) in _nodes)
            {
                if (info.Node.Metadata.Uid is null && info.Node.Status is null)
                {
                    // Placeholder of a deleted node.
                    changed |= snapshot.Remove(name);
                    continue;
                }

                if (!snapshot.TryGet(name, out var existing) || existing.Generation != info.Generation)
                {
                    snapshot.Set(info.Clone());
                    changed = true;
                }
            }

            foreach (var name in snapshot.Names.Where(n => !_nodes.ContainsKey(n)).ToList())
            {
                snapshot.Remove(name);
                changed = true;
            }

            if (changed)
            {
                snapshot.Reindex();
            }

            snapshot.Generation = _generation;
        }
    }

    private void AddLocked(V1Pod pod, string nodeName, bool assumed)
    {
        if (!_nodes.TryGetValue(nodeName, out var info))
        {
            info = new NodeInfo(new V1Node { Metadata = new V1ObjectMeta { Name = nodeName } });
            _nodes[nodeName] = info;
        }

        info.AddPod(pod);
        info.Generation = ++_generation;
        _pods[pod.Metadata.Uid] = (nodeName, assumed);
    }

    private void RemoveLocked(string uid, string nodeName)
    {
        _pods.Remove(uid);
        if (_nodes.TryGetValue(nodeName, out var info))
        {
            info.RemovePod(uid);
            info.Generation = ++_generation;
            if (info.Pods.Count == 0 && info.Node.Metadata.Uid is null && info.Node.Status is null)
            {
                _nodes.Remove(nodeName);
            }
        }
    }
}
