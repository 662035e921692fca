using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;
using Skiff.Controllers.Common.History;

namespace Skiff.Controllers.DaemonSet;

/// <summary>Which pods run where (upstream's <c>manage</c>, <c>podsShouldBeOnNode</c>, <c>syncNodes</c>, <c>rollingUpdate</c>).</summary>
internal sealed partial class DaemonSetController
{
    /// <summary>
    /// Upstream's <c>getNodesToDaemonPods</c>: the pods the set owns (after adopting and releasing), by the node they are
    /// meant for; terminal pods being deleted are left out.
    /// </summary>
    private async Task<Dictionary<string, List<V1Pod>>> NodesToDaemonPodsAsync(V1DaemonSet ds, Skiff.Api.Selectors.LabelSelector selector, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1Pod>(ds.Metadata, ApiVersion, Kind, selector, c => CanAdoptAsync(ds, c),
            (pod, patch, c) => _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, ct: c));
        var claimed = await manager.ClaimAsync(_pods.Lister.List(ds.Metadata.NamespaceProperty), ct).ConfigureAwait(false);
        var byNode = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in claimed)
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed" && pod.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            if (DaemonSetPods.TargetNodeName(pod) is { } node)
            {
                (byNode.TryGetValue(node, out var list) ? list : byNode[node] = []).Add(pod);
            }
        }

        return byNode;
    }

    private async Task CanAdoptAsync(V1DaemonSet ds, CancellationToken ct)
    {
        var fresh = await _ctx.Clientset.AppsV1().DaemonSets(ds.Metadata.NamespaceProperty).GetAsync(ds.Metadata.Name, ct: ct).ConfigureAwait(false);
        if (fresh.Metadata.Uid != ds.Metadata.Uid)
        {
            throw new InvalidOperationException($"original DaemonSet {ds.Metadata.NamespaceProperty}/{ds.Metadata.Name} is gone: got uid {fresh.Metadata.Uid}, wanted {ds.Metadata.Uid}");
        }

        if (fresh.Metadata.DeletionTimestamp is { } at)
        {
            throw new InvalidOperationException($"{ds.Metadata.NamespaceProperty}/{ds.Metadata.Name} has just been deleted at {at:O}");
        }
    }

    /// <summary>Upstream's <c>manage</c>: creates missing daemon pods and deletes those that should not run.</summary>
    private async Task ManageAsync(V1DaemonSet ds, Skiff.Api.Selectors.LabelSelector selector, IReadOnlyList<V1Node> nodes, string hash, string key, CancellationToken ct)
    {
        var byNode = await NodesToDaemonPodsAsync(ds, selector, ct).ConfigureAwait(false);
        var needing = new List<string>();
        var toDelete = new List<V1Pod>();
        foreach (var node in nodes)
        {
            PodsShouldBeOnNode(node, byNode, ds, hash, needing, toDelete);
        }

        // Upstream's getUnscheduledPodsWithoutNode: unbound pods meant for nodes that are gone.
        var names = nodes.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, pods) in byNode)
        {
            if (!names.Contains(node))
            {
                toDelete.AddRange(pods.Where(p => string.IsNullOrEmpty(p.Spec?.NodeName) && p.Metadata.DeletionTimestamp is null));
            }
        }

        await SyncNodesAsync(ds, toDelete, needing, hash, key, ct).ConfigureAwait(false);
    }

    private void PodsShouldBeOnNode(V1Node node, Dictionary<string, List<V1Pod>> byNode, V1DaemonSet ds, string hash, List<string> needing, List<V1Pod> toDelete)
    {
        var (shouldRun, shouldContinueRunning) = DaemonSetPods.ShouldRun(node, ds);
        var exists = byNode.TryGetValue(node.Metadata.Name, out var pods) && pods.Count > 0;
        if (shouldRun && !exists)
        {
            needing.Add(node.Metadata.Name);
            return;
        }

        if (!shouldContinueRunning)
        {
            if (exists)
            {
                toDelete.AddRange(pods!.Where(p => p.Metadata.DeletionTimestamp is null));
            }

            return;
        }

        var running = new List<V1Pod>();
        foreach (var pod in pods ?? [])
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            if (pod.Status?.Phase == "Failed")
            {
                // Upstream backs off per node; Skiff replaces the failed pod on the next sync.
                _events.Event(ds, EventRecorder.Warning, "FailedDaemonPod", $"Found failed daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {node.Metadata.Name}, will try to kill it");
                toDelete.Add(pod);
                continue;
            }

            running.Add(pod);
        }

        if (running.Count == 0)
        {
            if (shouldRun)
            {
                needing.Add(node.Metadata.Name);
            }

            return;
        }

        if (running.Count <= 1)
        {
            return;
        }

        var sorted = running.OrderBy(p => p, PodByCreationAndPhase.Instance).ToList();
        if (!AllowsSurge(ds))
        {
            toDelete.AddRange(sorted.Skip(1));
            return;
        }

        // Surge: keep the oldest updated pod and the oldest old one.
        V1Pod? oldestNew = null, oldestOld = null;
        foreach (var pod in sorted)
        {
            if (ControllerHistory.HashOf(pod.Metadata) == hash)
            {
                if (oldestNew is null)
                {
                    oldestNew = pod;
                    continue;
                }
            }
            else if (oldestOld is null)
            {
                oldestOld = pod;
                continue;
            }

            toDelete.Add(pod);
        }
    }

    /// <summary>Upstream's <c>syncNodes</c>: deletes and creates (slow start), each within <see cref="BurstReplicas"/>.</summary>
    private async Task SyncNodesAsync(V1DaemonSet ds, List<V1Pod> toDelete, List<string> needing, string hash, string key, CancellationToken ct)
    {
        var create = needing.Take(BurstReplicas).ToList();
        var delete = toDelete.DistinctBy(p => p.Metadata.Uid).Take(BurstReplicas).ToList();
        if (create.Count == 0 && delete.Count == 0)
        {
            return;
        }

        LogSyncNodes(key, create.Count, delete.Count);
        Expectations.Expect(key, create.Count, [.. delete.Select(PodStatusUtil.Key)]);

        var template = DaemonSetPods.CreatePodTemplate(ds.Spec.Template ?? new V1PodTemplateSpec(), DaemonSetPods.TemplateGeneration(ds), hash);
        var controllerRef = ControllerRefManager<V1Pod>.NewControllerRef(ds.Metadata, ApiVersion, Kind);
        Exception? error = null;
        var next = 0;
        var result = await SlowStart.RunAsync(create.Count, SlowStart.InitialBatchSize, c =>
        {
            var node = create[Interlocked.Increment(ref next) - 1];
            return CreatePodAsync(ds, template, node, controllerRef, c);
        }, ct).ConfigureAwait(false);
        for (var i = result.Successes; i < create.Count; i++)
        {
            Expectations.CreationObserved(key);
        }

        error ??= result.FirstError;
        var deletes = delete.Select(async pod =>
        {
            try
            {
                await _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).DeleteAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
                _events.Event(ds, EventRecorder.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Expectations.DeletionObserved(key, PodStatusUtil.Key(pod));
                if (e is not KubernetesApiException { IsNotFound: true })
                {
                    _events.Event(ds, EventRecorder.Warning, "FailedDelete", $"Error deleting: {e.Message}");
                    throw;
                }
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(deletes).ConfigureAwait(false);
        }
        catch (Exception) when (deletes.FirstOrDefault(t => t.IsFaulted) is { } failed)
        {
            error ??= failed.Exception!.InnerException;
        }

        if (error is not null)
        {
            throw error;
        }
    }

    private async Task CreatePodAsync(V1DaemonSet ds, V1PodTemplateSpec template, string node, V1OwnerReference controllerRef, CancellationToken ct)
    {
        var t = KubernetesSerialization.DeepCopy(template);
        var spec = t.Spec!;
        spec.Affinity = DaemonSetPods.ReplaceNodeNameAffinity(spec.Affinity, node);
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                NamespaceProperty = ds.Metadata.NamespaceProperty,
                GenerateName = ds.Metadata.Name + "-",
                Labels = t.Metadata?.Labels,
                Annotations = t.Metadata?.Annotations,
                Finalizers = t.Metadata?.Finalizers,
                OwnerReferences = [controllerRef],
            },
            Spec = spec,
        };
        try
        {
            var created = await _ctx.Clientset.CoreV1().Pods(ds.Metadata.NamespaceProperty).CreateAsync(pod, ct: ct).ConfigureAwait(false);
            _events.Event(ds, EventRecorder.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _events.Event(ds, EventRecorder.Warning, "FailedCreate", $"Error creating: {e.Message}");
            throw;
        }
    }

    /// <summary>Upstream's <c>rollingUpdate</c>: replaces old pods within maxUnavailable, or surges within maxSurge.</summary>
    private async Task RollingUpdateAsync(V1DaemonSet ds, Skiff.Api.Selectors.LabelSelector selector, IReadOnlyList<V1Node> nodes, string hash, string key, CancellationToken ct)
    {
        var byNode = await NodesToDaemonPodsAsync(ds, selector, ct).ConfigureAwait(false);
        var (maxSurge, maxUnavailable) = UpdatedDesiredNodeCounts(ds, nodes);
        var now = _ctx.TimeProvider.GetUtcNow();
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        bool Available(V1Pod p) => PodStatusUtil.IsAvailable(p, minReady, now);
        var generation = DaemonSetPods.TemplateGeneration(ds);
        if (maxSurge == 0)
        {
            var numUnavailable = 0;
            var allowed = new List<V1Pod>();
            var candidates = new List<V1Pod>();
            foreach (var (_, pods) in byNode.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!FindUpdatedPodsOnNode(pods, hash, generation, out var newPod, out var oldPod))
                {
                    numUnavailable++;
                    continue;
                }

                if (oldPod is null)
                {
                    if (newPod is not null && !Available(newPod))
                    {
                        numUnavailable++;
                    }

                    continue;
                }

                if (newPod is not null)
                {
                    continue;
                }

                if (!Available(oldPod))
                {
                    allowed.Add(oldPod);
                    numUnavailable++;
                }
                else if (numUnavailable < maxUnavailable)
                {
                    candidates.Add(oldPod);
                }
            }

            var remaining = Math.Clamp(maxUnavailable - numUnavailable, 0, candidates.Count);
            await SyncNodesAsync(ds, [.. allowed, .. candidates.Take(remaining)], [], hash, key, ct).ConfigureAwait(false);
            return;
        }

        var oldToDelete = new List<V1Pod>();
        var allowedNew = new List<string>();
        var candidateNew = new List<string>();
        var numSurge = 0;
        foreach (var (node, pods) in byNode.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!FindUpdatedPodsOnNode(pods, hash, generation, out var newPod, out var oldPod))
            {
                numSurge++;
                continue;
            }

            if (oldPod is null)
            {
                continue;
            }

            if (newPod is null)
            {
                if (!Available(oldPod))
                {
                    allowedNew.Add(node);
                }
                else if (numSurge < maxSurge)
                {
                    candidateNew.Add(node);
                }

                continue;
            }

            if (!Available(newPod))
            {
                numSurge++;
                continue;
            }

            oldToDelete.Add(oldPod);
        }

        var remainingSurge = Math.Clamp(maxSurge - numSurge, 0, candidateNew.Count);
        await SyncNodesAsync(ds, oldToDelete, [.. allowedNew, .. candidateNew.Take(remainingSurge)], hash, key, ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>findUpdatedPodsOnNode</c>: the one updated and the one old pod (not being deleted); false when either is ambiguous.</summary>
    private static bool FindUpdatedPodsOnNode(List<V1Pod> pods, string hash, long? generation, out V1Pod? newPod, out V1Pod? oldPod)
    {
        newPod = oldPod = null;
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            if (DaemonSetPods.IsUpdated(pod, hash, generation))
            {
                if (newPod is not null)
                {
                    return false;
                }

                newPod = pod;
            }
            else
            {
                if (oldPod is not null)
                {
                    return false;
                }

                oldPod = pod;
            }
        }

        return true;
    }

    /// <summary>
    /// Upstream's <c>updatedDesiredNodeCounts</c>: maxSurge and maxUnavailable scaled (rounding up) to the number of
    /// nodes that should run the pod; both zero means maxUnavailable 1.
    /// </summary>
    private static (int MaxSurge, int MaxUnavailable) UpdatedDesiredNodeCounts(V1DaemonSet ds, IReadOnlyList<V1Node> nodes)
    {
        var desired = nodes.Count(n => DaemonSetPods.ShouldRun(n, ds).ShouldRun);
        var ru = ds.Spec.UpdateStrategy?.RollingUpdate;
        var maxUnavailable = Scaled(ru?.MaxUnavailable, desired, 1);
        var maxSurge = AllowsSurge(ds) ? Scaled(ru?.MaxSurge, desired, 0) : 0;
        return maxSurge == 0 && maxUnavailable == 0 ? (0, 1) : (maxSurge, maxUnavailable);
    }

    private static bool AllowsSurge(V1DaemonSet ds) =>
        ds.Spec.UpdateStrategy?.Type is null or "RollingUpdate" && Scaled(ds.Spec.UpdateStrategy?.RollingUpdate?.MaxSurge, 1, 0) > 0;

    /// <summary>Upstream's <c>GetScaledValueFromIntOrPercent</c> rounding up; <paramref name="fallback"/> when unset or invalid.</summary>
    internal static int Scaled(IntOrString? value, int total, int fallback)
    {
        if (value?.Value is not { } s)
        {
            return fallback;
        }

        if (s.EndsWith('%'))
        {
            return int.TryParse(s[..^1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var pct)
                ? (int)Math.Ceiling(pct * total / 100.0)
                : fallback;
        }

        return int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : fallback;
    }

    /// <summary>Upstream's <c>podByCreationTimestampAndPhase</c>: oldest first, running before not running on ties, then by name.</summary>
    private sealed class PodByCreationAndPhase : IComparer<V1Pod>
    {
        public static readonly PodByCreationAndPhase Instance = new();

        public int Compare(V1Pod? x, V1Pod? y)
        {
            var tx = x!.Metadata.CreationTimestamp ?? DateTime.MinValue;
            var ty = y!.Metadata.CreationTimestamp ?? DateTime.MinValue;
            if (tx != ty)
            {
                return tx.CompareTo(ty);
            }

            var rx = x.Status?.Phase == "Running";
            var ry = y.Status?.Phase == "Running";
            return rx != ry ? (rx ? -1 : 1) : string.CompareOrdinal(x.Metadata.Name, y.Metadata.Name);
        }
    }
}
