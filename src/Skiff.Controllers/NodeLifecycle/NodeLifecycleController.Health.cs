using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>Node health (upstream's <c>monitorNodeHealth</c>, <c>tryUpdateNodeHealth</c>, <c>processTaintBaseEviction</c>).</summary>
internal sealed partial class NodeLifecycleController
{
    private static readonly string[] MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private static V1Taint UnreachableNoExecute => new() { Key = Taints.Unreachable, Effect = "NoExecute" };

    private static V1Taint NotReadyNoExecute => new() { Key = Taints.NotReady, Effect = "NoExecute" };

    /// <summary>One health pass over every node.</summary>
    internal async Task MonitorNodeHealthAsync(CancellationToken ct)
    {
        var nodes = _nodes.List();
        foreach (var gone in _health.Keys.Except(nodes.Select(n => n.Metadata.Name)).ToList())
        {
            _health.TryRemove(gone, out _);
            foreach (var q in _tainters.Values)
            {
                q.Remove(gone);
            }
        }

        var zoneConditions = new Dictionary<string, List<V1NodeCondition?>>(StringComparer.Ordinal);
        foreach (var cached in nodes)
        {
            var (observed, current) = await TryUpdateNodeHealthAsync(cached, ct).ConfigureAwait(false);
            var node = _nodes.Get(null, cached.Metadata.Name) ?? cached;
            var zone = ZoneKey(node);
            _tainters.GetOrAdd(zone, _ => new RateLimitedTimedQueue(Time, _options.NodeEvictionRate));
            if (!zoneConditions.TryGetValue(zone, out var list))
            {
                zoneConditions[zone] = list = [];
            }

            list.Add(current);
            if (current is null)
            {
                continue;
            }

            await ProcessTaintBasedEvictionAsync(node, observed, ct).ConfigureAwait(false);
            if (current.Status != "True" && observed.Status == "True")
            {
                _events.Event(node, EventRecorder.Normal, "NodeNotReady", $"Node {node.Metadata.Name} status is now: NodeNotReady");
            }

            if (current.Status != "True")
            {
                await MarkPodsNotReadyAsync(node.Metadata.Name, ct).ConfigureAwait(false);
            }
        }

        await HandleDisruptionAsync(zoneConditions, nodes, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's <c>tryUpdateNodeHealth</c>: updates what the controller saw of the node, and when the node was
    /// silent past its grace period writes its monitored conditions Unknown. Returns the Ready condition observed
    /// before and the one in force after.
    /// </summary>
    private async Task<(V1NodeCondition Observed, V1NodeCondition? Current)> TryUpdateNodeHealthAsync(V1Node cached, CancellationToken ct)
    {
        var node = KubernetesSerialization.DeepCopy(cached);
        var name = node.Metadata.Name;
        var now = Time.GetUtcNow();
        var created = node.Metadata.CreationTimestamp is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : now;
        var currentReady = ReadyCondition(node);
        V1NodeCondition observed;
        TimeSpan grace;
        _health.TryGetValue(name, out var health);
        if (currentReady is null)
        {
            observed = new V1NodeCondition { Type = "Ready", Status = "Unknown", LastHeartbeatTime = created.UtcDateTime, LastTransitionTime = created.UtcDateTime };
            grace = _options.NodeStartupGracePeriod;
            health = health is null ? new NodeHealth(created, created, null, null) : health with { Ready = null };
        }
        else
        {
            observed = Copy(currentReady);
            grace = _options.NodeMonitorGracePeriod;
            var saved = health?.Ready;
            if (health is null || saved is null)
            {
                health = new NodeHealth(now, now, Copy(currentReady), health?.LeaseRenewTime);
            }
            else if (saved.LastHeartbeatTime != currentReady.LastHeartbeatTime)
            {
                var transition = saved.LastTransitionTime != currentReady.LastTransitionTime ? now : health.ReadyTransitionTimestamp;
                health = new NodeHealth(now, transition, Copy(currentReady), health.LeaseRenewTime);
            }
        }

        // A renewed Lease is a probe too.
        if (_leases.Get(LeaseNamespace, name)?.Spec?.RenewTime is { } renew && (health.LeaseRenewTime is null || health.LeaseRenewTime < renew))
        {
            health = health with { LeaseRenewTime = renew, ProbeTimestamp = now };
        }

        _health[name] = health;
        if (now <= health.ProbeTimestamp + grace)
        {
            return (observed, currentReady);
        }

        node.Status ??= new V1NodeStatus();
        node.Status.Conditions ??= [];
        foreach (var type in MonitoredConditions)
        {
            var condition = node.Status.Conditions.FirstOrDefault(x => x.Type == type);
            if (condition is null)
            {
                node.Status.Conditions.Add(new V1NodeCondition
                {
                    Type = type, Status = "Unknown", Reason = "NodeStatusNeverUpdated", Message = "Kubelet never posted node status.",
                    LastHeartbeatTime = created.UtcDateTime, LastTransitionTime = now.UtcDateTime,
                });
            }
            else if (condition.Status != "Unknown")
            {
                condition.Status = "Unknown";
                condition.Reason = "NodeStatusUnknown";
                condition.Message = "Kubelet stopped posting node status.";
                condition.LastTransitionTime = now.UtcDateTime;
            }
        }

        var after = ReadyCondition(node)!;
        if (after.Status == observed.Status && after.Reason == observed.Reason && after.LastTransitionTime == observed.LastTransitionTime)
        {
            return (observed, after);
        }

        LogNodeUnknown(name, now - health.ProbeTimestamp, after.Status);
        try
        {
            var written = await _ctx.Clientset.CoreV1().Nodes().UpdateStatusAsync(node, ct: ct).ConfigureAwait(false);
            _health[name] = health with { ReadyTransitionTimestamp = now, Ready = Copy(ReadyCondition(written) ?? after) };
        }
        catch (KubernetesApiException e) when (e.IsConflict || e.IsNotFound)
        {
            // The kubelet wrote meanwhile (or the node is gone): the next pass sees it.
            return (observed, currentReady);
        }

        return (observed, after);
    }

    /// <summary>Upstream's <c>processTaintBaseEviction</c>, on the Ready condition observed before this pass's update.</summary>
    private async Task ProcessTaintBasedEvictionAsync(V1Node node, V1NodeCondition observed, CancellationToken ct)
    {
        var name = node.Metadata.Name;
        var zone = ZoneKey(node);
        var queue = _tainters.GetOrAdd(zone, _ => new RateLimitedTimedQueue(Time, _options.NodeEvictionRate));
        switch (observed.Status)
        {
            case "False":
                if (Taints.Exists(node.Spec?.Taints, UnreachableNoExecute))
                {
                    await SwapTaintsAsync(name, [NotReadyNoExecute], [UnreachableNoExecute], ct).ConfigureAwait(false);
                }
                else if (!Taints.Exists(node.Spec?.Taints, NotReadyNoExecute))
                {
                    queue.Add(name);
                }

                break;
            case "Unknown":
                if (Taints.Exists(node.Spec?.Taints, NotReadyNoExecute))
                {
                    await SwapTaintsAsync(name, [UnreachableNoExecute], [NotReadyNoExecute], ct).ConfigureAwait(false);
                }
                else if (!Taints.Exists(node.Spec?.Taints, UnreachableNoExecute))
                {
                    queue.Add(name);
                }

                break;
            case "True":
                await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false);
                break;
        }
    }

    private async Task MarkNodeAsReachableAsync(V1Node node, CancellationToken ct)
    {
        if (Taints.Exists(node.Spec?.Taints, UnreachableNoExecute) || Taints.Exists(node.Spec?.Taints, NotReadyNoExecute))
        {
            await SwapTaintsAsync(node.Metadata.Name, [], [UnreachableNoExecute, NotReadyNoExecute], ct).ConfigureAwait(false);
        }

        foreach (var q in _tainters.Values)
        {
            q.Remove(node.Metadata.Name);
        }
    }

    /// <summary>Upstream's <c>doNoExecuteTaintingPass</c>: taints queued nodes, as fast as each zone's rate allows.</summary>
    internal async Task NoExecuteTaintingPassAsync(CancellationToken ct)
    {
        foreach (var queue in _tainters.Values)
        {
            await queue.TryAsync(async name =>
            {
                if (_nodes.Get(null, name) is not { } node || ReadyCondition(node) is not { } ready)
                {
                    return true;
                }

                var (add, opposite) = ready.Status switch
                {
                    "False" => (NotReadyNoExecute, UnreachableNoExecute),
                    "Unknown" => (UnreachableNoExecute, NotReadyNoExecute),
                    _ => (null, null),
                };
                return add is null || await SwapTaintsAsync(name, [add], [opposite!], ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Upstream's <c>MarkPodsNotReady</c>: the node's pods with Ready=True get Ready=False.</summary>
    private async Task MarkPodsNotReadyAsync(string nodeName, CancellationToken ct)
    {
        foreach (var cached in _pods.List().Where(p => p.Spec?.NodeName == nodeName && Common.PodStatusUtil.IsReady(p)))
        {
            var pod = KubernetesSerialization.DeepCopy(cached);
            var ready = Common.PodStatusUtil.ReadyCondition(pod)!;
            ready.Status = "False";
            ready.LastTransitionTime = Time.GetUtcNow().UtcDateTime;
            try
            {
                await _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).UpdateStatusAsync(pod, ct: ct).ConfigureAwait(false);
                _events.Event(pod, EventRecorder.Warning, "NodeNotReady", "Node is not ready");
            }
            catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
            {
                // Gone, or changed meanwhile: the next pass looks again.
            }
        }
    }

    private static V1NodeCondition? ReadyCondition(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    private static V1NodeCondition Copy(V1NodeCondition c) => new()
    {
        Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message,
        LastHeartbeatTime = c.LastHeartbeatTime, LastTransitionTime = c.LastTransitionTime,
    };

    /// <summary>Upstream's <c>GetZoneKey</c>: region and zone labels, "" when the node has neither.</summary>
    internal static string ZoneKey(V1Node node)
    {
        var labels = node.Metadata.Labels;
        string? Label(string a, string b) => labels is null ? null : labels.TryGetValue(a, out var v) ? v : labels.TryGetValue(b, out v) ? v : null;
        var region = Label("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region") ?? "";
        var zone = Label("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone") ?? "";
        return region.Length == 0 && zone.Length == 0 ? "" : region + ":\0:" + zone;
    }
}
