using k8s.Models;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Deployment;

/// <summary>The two strategies and the rollout status (upstream's <c>rolling.go</c>, <c>recreate.go</c>, <c>progress.go</c>).</summary>
internal sealed partial class DeploymentController
{
    /// <summary>Upstream's <c>rolloutRolling</c>: scale the new ReplicaSet up, else the old ones down, then clean up and report.</summary>
    private async Task<ReconcileResult> RolloutRollingAsync(V1Deployment d, IReadOnlyList<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, true, ct).ConfigureAwait(false);
        List<V1ReplicaSet?> allRSs = [.. oldRSs, newRS];
        if (await ReconcileNewReplicaSetAsync(allRSs, newRS!, d, ct).ConfigureAwait(false))
        {
            return await SyncRolloutStatusAsync(allRSs, newRS, d, ct).ConfigureAwait(false);
        }

        if (await ReconcileOldReplicaSetsAsync(allRSs, DeploymentUtil.Active(oldRSs), newRS!, d, ct).ConfigureAwait(false))
        {
            return await SyncRolloutStatusAsync(allRSs, newRS, d, ct).ConfigureAwait(false);
        }

        if (DeploymentConditions.Complete(d, d.Status))
        {
            await CleanupAsync(oldRSs, d, ct).ConfigureAwait(false);
        }

        return await SyncRolloutStatusAsync(allRSs, newRS, d, ct).ConfigureAwait(false);
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(IReadOnlyList<V1ReplicaSet?> allRSs, V1ReplicaSet newRS, V1Deployment d, CancellationToken ct)
    {
        var want = DeploymentUtil.Replicas(d);
        var have = DeploymentUtil.Replicas(newRS);
        if (have == want)
        {
            return false;
        }

        if (have > want)
        {
            return await ScaleReplicaSetAndRecordEventAsync(newRS, want, d, ct).ConfigureAwait(false);
        }

        var next = DeploymentUtil.NewRSNewReplicas(d, allRSs.OfType<V1ReplicaSet>(), newRS);
        return await ScaleReplicaSetAndRecordEventAsync(newRS, next, d, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's <c>reconcileOldReplicaSets</c>: scale old ReplicaSets down by at most
    /// (all pods − (replicas − maxUnavailable) − the new ReplicaSet's unavailable pods), first their unhealthy
    /// replicas, then — oldest first — as far as availability allows.
    /// </summary>
    private async Task<bool> ReconcileOldReplicaSetsAsync(IReadOnlyList<V1ReplicaSet?> allRSs, List<V1ReplicaSet> oldRSs, V1ReplicaSet newRS, V1Deployment d, CancellationToken ct)
    {
        if (DeploymentUtil.SpecReplicas(oldRSs) == 0)
        {
            return false;
        }

        var allPods = DeploymentUtil.SpecReplicas(allRSs);
        var minAvailable = DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d);
        var newRSUnavailable = DeploymentUtil.Replicas(newRS) - (newRS.Status?.AvailableReplicas ?? 0);
        var maxScaledDown = allPods - minAvailable - newRSUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var (cleaned, cleanedRSs) = await CleanupUnhealthyReplicasAsync(oldRSs, d, maxScaledDown, ct).ConfigureAwait(false);
        var scaled = await ScaleDownOldReplicaSetsForRollingUpdateAsync([.. cleanedRSs, newRS], cleanedRSs, d, ct).ConfigureAwait(false);
        return cleaned + scaled > 0;
    }

    /// <summary>Upstream's <c>cleanupUnhealthyReplicas</c>: removes old ReplicaSets' unavailable replicas, oldest first.</summary>
    private async Task<(int Scaled, List<V1ReplicaSet> OldRSs)> CleanupUnhealthyReplicasAsync(List<V1ReplicaSet> oldRSs, V1Deployment d, int maxCleanup, CancellationToken ct)
    {
        var sorted = oldRSs.Order(DeploymentUtil.ByCreationTimestamp).ToList();
        var total = 0;
        for (var i = 0; i < sorted.Count && total < maxCleanup; i++)
        {
            var rs = sorted[i];
            var replicas = DeploymentUtil.Replicas(rs);
            var available = rs.Status?.AvailableReplicas ?? 0;
            if (replicas == 0 || replicas == available)
            {
                continue;
            }

            var count = Math.Min(maxCleanup - total, replicas - available);
            await ScaleReplicaSetAndRecordEventAsync(rs, replicas - count, d, ct).ConfigureAwait(false);
            sorted[i] = WithReplicas(rs, replicas - count);
            total += count;
        }

        return (total, sorted);
    }

    /// <summary>
    /// Upstream's <c>scaleDownOldReplicaSetsForRollingUpdate</c>: removes available old replicas, oldest ReplicaSet
    /// first, while more than replicas − maxUnavailable pods are available (each ReplicaSet counting at most its
    /// spec.replicas, so a status that lags a scale-down never overstates availability).
    /// </summary>
    private async Task<int> ScaleDownOldReplicaSetsForRollingUpdateAsync(IReadOnlyList<V1ReplicaSet?> allRSs, List<V1ReplicaSet> oldRSs, V1Deployment d, CancellationToken ct)
    {
        var minAvailable = DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d);

        // Unlike upstream, an old ReplicaSet counts at most its spec.replicas available: right after a scale-down its
        // status still counts the pods being deleted, and trusting it could take availability below the minimum.
        var available = allRSs.OfType<V1ReplicaSet>().Sum(rs => Math.Min(rs.Status?.AvailableReplicas ?? 0, DeploymentUtil.Replicas(rs)));
        if (available <= minAvailable)
        {
            return 0;
        }

        var total = 0;
        var toScaleDown = available - minAvailable;
        foreach (var rs in oldRSs.Order(DeploymentUtil.ByCreationTimestamp))
        {
            if (total >= toScaleDown)
            {
                break;
            }

            if (DeploymentUtil.Replicas(rs) == 0)
            {
                continue;
            }

            var count = Math.Min(DeploymentUtil.Replicas(rs), toScaleDown - total);
            await ScaleReplicaSetAndRecordEventAsync(rs, DeploymentUtil.Replicas(rs) - count, d, ct).ConfigureAwait(false);
            total += count;
        }

        return total;
    }

    /// <summary>
    /// Upstream's <c>rolloutRecreate</c>: old ReplicaSets to zero; wait until none of their pods is left (only
    /// Succeeded/Failed ones may remain); then create or scale up the new one.
    /// </summary>
    private async Task<ReconcileResult> RolloutRecreateAsync(V1Deployment d, IReadOnlyList<V1ReplicaSet> rsList, Dictionary<string, List<V1Pod>> podMap, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, false, ct).ConfigureAwait(false);
        List<V1ReplicaSet?> allRSs = [.. oldRSs, newRS];
        var scaledDown = false;
        for (var i = 0; i < oldRSs.Count; i++)
        {
            if (DeploymentUtil.Replicas(oldRSs[i]) != 0 && await ScaleReplicaSetAndRecordEventAsync(oldRSs[i], 0, d, ct).ConfigureAwait(false))
            {
                oldRSs[i] = WithReplicas(oldRSs[i], 0);
                scaledDown = true;
            }
        }

        if (scaledDown || OldPodsRunning(newRS, oldRSs, podMap))
        {
            return await SyncRolloutStatusAsync(allRSs, newRS, d, ct).ConfigureAwait(false);
        }

        if (newRS is null)
        {
            (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, true, ct).ConfigureAwait(false);
            allRSs = [.. oldRSs, newRS];
        }

        await ScaleReplicaSetAndRecordEventAsync(newRS!, DeploymentUtil.Replicas(d), d, ct).ConfigureAwait(false);
        if (DeploymentConditions.Complete(d, d.Status))
        {
            await CleanupAsync(oldRSs, d, ct).ConfigureAwait(false);
        }

        return await SyncRolloutStatusAsync(allRSs, newRS, d, ct).ConfigureAwait(false);
    }

    private static bool OldPodsRunning(V1ReplicaSet? newRS, IReadOnlyList<V1ReplicaSet> oldRSs, Dictionary<string, List<V1Pod>> podMap) =>
        DeploymentUtil.ActualReplicas(oldRSs) > 0 ||
        podMap.Any(kv => (newRS is null || kv.Key != newRS.Metadata.Uid) && kv.Value.Any(p => p.Status?.Phase is not ("Succeeded" or "Failed")));

    /// <summary>
    /// Upstream's <c>syncRolloutStatus</c>: the status of <see cref="CalculateStatus"/> plus the Progressing condition
    /// (NewReplicaSetAvailable once complete, ReplicaSetUpdated while progressing, ProgressDeadlineExceeded once the
    /// deadline passed without progress) and ReplicaFailure copied from the ReplicaSets; written when it differs.
    /// When nothing changed, a Deployment still progressing is synced again when its deadline would pass.
    /// </summary>
    private async Task<ReconcileResult> SyncRolloutStatusAsync(IReadOnlyList<V1ReplicaSet?> allRSs, V1ReplicaSet? newRS, V1Deployment d, CancellationToken ct)
    {
        var now = Now;
        var status = CalculateStatus(allRSs, newRS, d, now);
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        }

        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        var isComplete = status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewRSAvailableReason;
        if (DeploymentConditions.HasProgressDeadline(d) && !isComplete)
        {
            var subject = newRS is null ? $"Deployment \"{d.Metadata.Name}\"" : $"ReplicaSet \"{newRS.Metadata.Name}\"";
            if (DeploymentConditions.Complete(d, status))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.NewRSAvailableReason,
                    $"{subject} has successfully progressed.", now));
            }
            else if (DeploymentConditions.IsProgressing(d, status))
            {
                var condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdatedReason, $"{subject} is progressing.", now);
                if (current?.Status == "True")
                {
                    condition.LastTransitionTime = current.LastTransitionTime;
                }

                DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                DeploymentConditions.Set(status, condition);
            }
            else if (DeploymentConditions.TimedOut(d, status, now))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.TimedOutReason,
                    $"{subject} has timed out progressing.", now));
            }
        }

        var failures = allRSs.OfType<V1ReplicaSet>().OrderBy(rs => rs == newRS ? 0 : 1)
            .SelectMany(rs => rs.Status?.Conditions?.Where(c => c.Type == "ReplicaFailure") ?? []).ToList();
        if (failures.Count > 0)
        {
            var f = failures[0];
            DeploymentConditions.Set(status, new V1DeploymentCondition
            {
                Type = DeploymentConditions.ReplicaFailure,
                Status = f.Status,
                Reason = f.Reason,
                Message = f.Message,
                LastTransitionTime = f.LastTransitionTime,
                LastUpdateTime = f.LastTransitionTime,
            });
        }
        else
        {
            DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);
        }

        if (StatusEqual(d.Status, status))
        {
            return RequeueStuck(d, status, now);
        }

        d.Status = status;
        await UpdateStatusAsync(d, ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    /// <summary>
    /// Upstream's <c>requeueStuckDeployment</c>: a Deployment with a deadline that is neither complete nor timed out is
    /// synced again when its Progressing condition would time out.
    /// </summary>
    private static ReconcileResult RequeueStuck(V1Deployment d, V1DeploymentStatus status, DateTime now)
    {
        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (!DeploymentConditions.HasProgressDeadline(d) || current is null || DeploymentConditions.Complete(d, status) ||
            current.Reason == DeploymentConditions.TimedOutReason || current.LastUpdateTime is not { } updated)
        {
            return ReconcileResult.Done;
        }

        var after = updated.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) - now;
        return ReconcileResult.After(after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after);
    }

    private static V1ReplicaSet WithReplicas(V1ReplicaSet rs, int replicas)
    {
        var copy = Skiff.Client.Rest.KubernetesSerialization.DeepCopy(rs);
        copy.Spec.Replicas = replicas;
        return copy;
    }
}
