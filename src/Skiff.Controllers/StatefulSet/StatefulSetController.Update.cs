using k8s.Models;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.StatefulSet;

/// <summary>Pods toward the spec (upstream's <c>updateStatefulSet</c>, <c>processReplica</c>, <c>processCondemned</c>).</summary>
internal sealed partial class StatefulSetController
{
    /// <summary>
    /// One pass of upstream's <c>updateStatefulSet</c>: creates, repairs and deletes pods, then rolls the update;
    /// returns the status to write.
    /// </summary>
    /// <exception cref="StatefulSetUpdateException">A write failed; carries the status computed so far.</exception>
    private async Task<V1StatefulSetStatus> UpdatePodsAsync(V1StatefulSet set, V1ControllerRevision currentRevision, V1ControllerRevision updateRevision,
        int collisionCount, List<V1Pod> pods, CancellationToken ct)
    {
        var currentSet = StatefulSetUtil.ApplyRevision(set, currentRevision);
        var updateSet = StatefulSetUtil.ApplyRevision(set, updateRevision);
        var status = new V1StatefulSetStatus
        {
            ObservedGeneration = set.Metadata.Generation,
            CurrentRevision = currentRevision.Metadata.Name,
            UpdateRevision = updateRevision.Metadata.Name,
            CollisionCount = collisionCount,
        };
        var minReady = set.Spec.MinReadySeconds ?? 0;
        ComputeStatus(status, minReady, currentRevision, updateRevision, pods);

        var start = StatefulSetUtil.StartOrdinal(set);
        var replicaCount = set.Spec.Replicas ?? 1;
        var replicas = new V1Pod?[replicaCount];
        var condemned = new List<V1Pod>();
        foreach (var pod in pods)
        {
            if (StatefulSetUtil.InOrdinalRange(pod, set))
            {
                replicas[StatefulSetUtil.Ordinal(pod) - start] = pod;
            }
            else if (StatefulSetUtil.Ordinal(pod) >= 0)
            {
                condemned.Add(pod);
            }
        }

        for (var i = 0; i < replicaCount; i++)
        {
            replicas[i] ??= StatefulSetUtil.NewVersionedPod(currentSet, updateSet, currentRevision.Metadata.Name, updateRevision.Metadata.Name, start + i);
        }

        var all = replicas.Select(p => p!).ToList();
        condemned = [.. condemned.OrderByDescending(StatefulSetUtil.Ordinal)];
        var firstUnhealthy = all.FirstOrDefault(p => !StatefulSetUtil.IsHealthy(p)) ??
            Enumerable.Reverse(condemned).FirstOrDefault(p => !StatefulSetUtil.IsHealthy(p));

        if (set.Metadata.DeletionTimestamp is not null)
        {
            return status;
        }

        var monotonic = (set.Spec.PodManagementPolicy ?? "OrderedReady") != "Parallel";
        V1StatefulSetStatus Final()
        {
            ComputeStatus(status, minReady, currentRevision, updateRevision, [.. all, .. condemned]);
            return status;
        }

        try
        {
            if (await RunForAllAsync(all.Count, (i, c) => ProcessReplicaAsync(set, updateSet, monotonic, all, i, c), monotonic, ct).ConfigureAwait(false))
            {
                return Final();
            }

            // Claims of pods about to go get the retention policy's owners first.
            if (await RunForAllAsync(condemned.Count, async (i, c) =>
                {
                    if (!ClaimsMatchRetentionPolicy(updateSet, condemned[i]))
                    {
                        await UpdateClaimsForRetentionAsync(updateSet, condemned[i], c).ConfigureAwait(false);
                    }

                    return false;
                }, monotonic, ct).ConfigureAwait(false))
            {
                return Final();
            }

            if (await RunForAllAsync(condemned.Count, (i, c) => ProcessCondemnedAsync(set, firstUnhealthy, monotonic, condemned, i, c), monotonic, ct).ConfigureAwait(false))
            {
                return Final();
            }

            Final();
            if (set.Spec.UpdateStrategy?.Type == "OnDelete")
            {
                return status;
            }

            await RollingUpdateAsync(set, updateRevision, all, status, ct).ConfigureAwait(false);
            return status;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new StatefulSetUpdateException(Final(), e);
        }
    }

    /// <summary>
    /// The destructive part of RollingUpdate: from the highest ordinal down to the partition, deletes the pods not
    /// at the update revision — one at a time waiting for health (upstream's default), or up to
    /// <c>maxUnavailable</c> unhealthy pods at once when it is set (upstream's MaxUnavailableStatefulSet).
    /// </summary>
    private async Task RollingUpdateAsync(V1StatefulSet set, V1ControllerRevision updateRevision, List<V1Pod> replicas, V1StatefulSetStatus status, CancellationToken ct)
    {
        var rolling = set.Spec.UpdateStrategy?.RollingUpdate;
        var updateMin = rolling?.Partition ?? 0;
        if (rolling?.MaxUnavailable is { } maxUnavailableValue)
        {
            var maxUnavailable = Math.Max(1, DaemonSet.DaemonSetController.Scaled(maxUnavailableValue, replicas.Count, 1));
            var unavailable = replicas.Count(p => !StatefulSetUtil.IsHealthy(p));
            var budget = maxUnavailable - unavailable;
            for (var target = replicas.Count - 1; target >= updateMin && budget > 0; target--)
            {
                var pod = replicas[target];
                if (StatefulSetUtil.PodRevision(pod) != updateRevision.Metadata.Name && !StatefulSetUtil.IsTerminating(pod))
                {
                    await DeletePodAsync(set, pod, ct).ConfigureAwait(false);
                    status.CurrentReplicas--;
                    budget--;
                }
            }

            return;
        }

        for (var target = replicas.Count - 1; target >= updateMin; target--)
        {
            var pod = replicas[target];
            if (StatefulSetUtil.PodRevision(pod) != updateRevision.Metadata.Name && !StatefulSetUtil.IsTerminating(pod))
            {
                await DeletePodAsync(set, pod, ct).ConfigureAwait(false);
                status.CurrentReplicas--;
                return;
            }

            if (!StatefulSetUtil.IsHealthy(pod))
            {
                return;
            }
        }
    }

    /// <summary>Upstream's <c>processReplica</c>; true when the pass must stop here.</summary>
    private async Task<bool> ProcessReplicaAsync(V1StatefulSet set, V1StatefulSet updateSet, bool monotonic, List<V1Pod> replicas, int i, CancellationToken ct)
    {
        var pod = replicas[i];
        if (StatefulSetUtil.IsFailed(pod) || StatefulSetUtil.IsSucceeded(pod))
        {
            if (!StatefulSetUtil.IsTerminating(pod))
            {
                await DeletePodAsync(set, pod, ct).ConfigureAwait(false);
            }

            // The replacement is made on a later pass, once the pod is gone.
            return true;
        }

        if (!StatefulSetUtil.IsCreated(pod))
        {
            if (PodClaimIsStale(set, pod))
            {
                // A claim of an earlier pod of this ordinal is still being deleted.
                return true;
            }

            await CreatePodAsync(set, pod, ct).ConfigureAwait(false);
            if (monotonic)
            {
                return true;
            }
        }

        if (StatefulSetUtil.IsPending(pod))
        {
            await CreateClaimsAsync(set, pod, ct).ConfigureAwait(false);
        }

        var now = _ctx.TimeProvider.GetUtcNow();
        if (monotonic && (StatefulSetUtil.IsTerminating(pod) || !StatefulSetUtil.IsRunningAndReady(pod) ||
            !StatefulSetUtil.IsRunningAndAvailable(pod, set.Spec.MinReadySeconds ?? 0, now)))
        {
            return true;
        }

        if (!StatefulSetUtil.IsCreated(pod) || (StatefulSetUtil.IdentityMatches(set, pod) && StatefulSetUtil.StorageMatches(set, pod) && ClaimsMatchRetentionPolicy(updateSet, pod)))
        {
            return false;
        }

        await UpdatePodAsync(updateSet, pod, ct).ConfigureAwait(false);
        return false;
    }

    /// <summary>Upstream's <c>processCondemned</c>; true when the pass must stop here.</summary>
    private async Task<bool> ProcessCondemnedAsync(V1StatefulSet set, V1Pod? firstUnhealthy, bool monotonic, List<V1Pod> condemned, int i, CancellationToken ct)
    {
        var pod = condemned[i];
        if (StatefulSetUtil.IsTerminating(pod))
        {
            return monotonic;
        }

        var now = _ctx.TimeProvider.GetUtcNow();
        if (monotonic && !ReferenceEquals(pod, firstUnhealthy) &&
            (!StatefulSetUtil.IsRunningAndReady(pod) || !StatefulSetUtil.IsRunningAndAvailable(pod, set.Spec.MinReadySeconds ?? 0, now)))
        {
            return true;
        }

        await DeletePodAsync(set, pod, ct).ConfigureAwait(false);
        return monotonic;
    }

    /// <summary>
    /// Upstream's <c>runForAll</c>: in order, stopping at the first that says stop (monotonic), or all in slow-start
    /// batches (Parallel); true when the pass must stop.
    /// </summary>
    private static async Task<bool> RunForAllAsync(int count, Func<int, CancellationToken, Task<bool>> fn, bool monotonic, CancellationToken ct)
    {
        if (monotonic)
        {
            for (var i = 0; i < count; i++)
            {
                if (await fn(i, ct).ConfigureAwait(false))
                {
                    return true;
                }
            }

            return false;
        }

        var next = 0;
        var result = await SlowStart.RunAsync(count, SlowStart.InitialBatchSize, c => fn(Interlocked.Increment(ref next) - 1, c), ct).ConfigureAwait(false);
        return result.FirstError is { } error ? throw error : false;
    }

    /// <summary>Upstream's <c>updateStatus</c>/<c>computeReplicaStatus</c> over the pods given.</summary>
    private void ComputeStatus(V1StatefulSetStatus status, int minReadySeconds, V1ControllerRevision current, V1ControllerRevision update, IEnumerable<V1Pod> pods)
    {
        int replicas = 0, ready = 0, available = 0, currentReplicas = 0, updated = 0;
        var now = _ctx.TimeProvider.GetUtcNow();
        foreach (var pod in pods)
        {
            var created = StatefulSetUtil.IsCreated(pod);
            replicas += created ? 1 : 0;
            if (StatefulSetUtil.IsRunningAndReady(pod))
            {
                ready++;
                available += StatefulSetUtil.IsRunningAndAvailable(pod, minReadySeconds, now) ? 1 : 0;
            }

            if (created && !StatefulSetUtil.IsTerminating(pod))
            {
                var revision = StatefulSetUtil.PodRevision(pod);
                currentReplicas += revision == current.Metadata.Name ? 1 : 0;
                updated += revision == update.Metadata.Name ? 1 : 0;
            }
        }

        status.Replicas = replicas;
        status.ReadyReplicas = ready;
        status.AvailableReplicas = available;
        status.CurrentReplicas = currentReplicas;
        status.UpdatedReplicas = updated;
    }
}
