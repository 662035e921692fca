using System.Globalization;
using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Deployment;

/// <summary>Finding and creating the new ReplicaSet, scaling, cleanup and status (upstream's <c>sync.go</c>).</summary>
internal sealed partial class DeploymentController
{
    /// <summary>
    /// Upstream's <c>getAllReplicaSetsAndSyncRevision</c>: the new ReplicaSet (the one whose template equals the
    /// Deployment's, ignoring the hash label; created when <paramref name="create"/>) and all the others.
    /// </summary>
    private async Task<(V1ReplicaSet? NewRS, List<V1ReplicaSet> OldRSs)> GetAllReplicaSetsAndSyncRevisionAsync(
        V1Deployment d, IReadOnlyList<V1ReplicaSet> rsList, bool create, CancellationToken ct)
    {
        var existing = FindNewReplicaSet(d, rsList);
        var oldRSs = rsList.Where(rs => existing is null || rs.Metadata.Uid != existing.Metadata.Uid).ToList();
        var newRS = await GetNewReplicaSetAsync(d, existing, oldRSs, create, ct).ConfigureAwait(false);
        if (existing is not null && newRS is not null && rsList is List<V1ReplicaSet> list)
        {
            // Later steps of this sync (a scaling check, then the rollout) start from what was just written.
            list[list.IndexOf(existing)] = newRS;
        }

        return (newRS, oldRSs);
    }

    /// <summary>Upstream's <c>FindNewReplicaSet</c>: the oldest ReplicaSet whose template equals the Deployment's.</summary>
    internal static V1ReplicaSet? FindNewReplicaSet(V1Deployment d, IEnumerable<V1ReplicaSet> rsList) =>
        rsList.Order(DeploymentUtil.ByCreationTimestamp).FirstOrDefault(rs => DeploymentUtil.EqualIgnoreHash(rs.Spec.Template, d.Spec.Template));

    private async Task<V1ReplicaSet?> GetNewReplicaSetAsync(V1Deployment d, V1ReplicaSet? existing, List<V1ReplicaSet> oldRSs, bool create, CancellationToken ct)
    {
        var newRevision = (DeploymentAnnotations.MaxRevision(oldRSs) + 1).ToString(CultureInfo.InvariantCulture);
        if (existing is not null)
        {
            var rsCopy = KubernetesSerialization.DeepCopy(existing);
            var annotationsUpdated = DeploymentAnnotations.SetNewReplicaSetAnnotations(d, rsCopy, newRevision, exists: true);
            if (annotationsUpdated || (rsCopy.Spec.MinReadySeconds ?? 0) != (d.Spec.MinReadySeconds ?? 0))
            {
                rsCopy.Spec.MinReadySeconds = d.Spec.MinReadySeconds;
                return await _ctx.Clientset.AppsV1().ReplicaSets(rsCopy.Metadata.NamespaceProperty).UpdateAsync(rsCopy, ct: ct).ConfigureAwait(false);
            }

            var needsUpdate = DeploymentAnnotations.SetDeploymentRevision(d, (rsCopy.Metadata.Annotations?.TryGetValue(DeploymentAnnotations.RevisionKey, out var rev) == true ? rev : ""));
            if (DeploymentConditions.HasProgressDeadline(d) && DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing) is null)
            {
                DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.FoundNewRSReason, $"Found new replica set \"{rsCopy.Metadata.Name}\"", Now));
                needsUpdate = true;
            }

            if (needsUpdate)
            {
                await UpdateStatusAsync(d, ct).ConfigureAwait(false);
            }

            return rsCopy;
        }

        if (!create)
        {
            return null;
        }

        var template = KubernetesSerialization.DeepCopy(d.Spec.Template);
        var hash = PodTemplateHash.Compute(template, d.Status.CollisionCount);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(d.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var selector = KubernetesSerialization.DeepCopy(d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var newRS = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = d.Metadata.Name + "-" + hash,
                NamespaceProperty = d.Metadata.NamespaceProperty,
                OwnerReferences = [ControllerRefManager<V1ReplicaSet>.NewControllerRef(d.Metadata, "apps/v1", "Deployment")],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var newReplicas = DeploymentUtil.NewRSNewReplicas(d, [.. oldRSs, newRS], newRS);
        newRS.Spec.Replicas = newReplicas;
        DeploymentAnnotations.SetNewReplicaSetAnnotations(d, newRS, newRevision, exists: false);

        V1ReplicaSet created;
        var alreadyExists = false;
        try
        {
            created = await _ctx.Clientset.AppsV1().ReplicaSets(d.Metadata.NamespaceProperty).CreateAsync(newRS, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
            var rs = await _ctx.Clientset.AppsV1().ReplicaSets(d.Metadata.NamespaceProperty).GetAsync(newRS.Metadata.Name, ct: ct).ConfigureAwait(false);
            if (ControllerRefManager<V1ReplicaSet>.ControllerOf(rs.Metadata)?.Uid != d.Metadata.Uid || !DeploymentUtil.EqualIgnoreHash(d.Spec.Template, rs.Spec.Template))
            {
                // Another template has this hash: bump collisionCount so the next sync picks another name.
                d.Status.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
                await UpdateStatusAsync(d, ct).ConfigureAwait(false);
                LogCollision(d.Metadata.NamespaceProperty, d.Metadata.Name, newRS.Metadata.Name, d.Status.CollisionCount.Value);
                throw;
            }

            created = rs;
            alreadyExists = true;
        }
        catch (KubernetesApiException e) when (e.Status.Details?.Causes?.Any(c => c.Reason == "NamespaceTerminating") != true)
        {
            var msg = $"Failed to create new replica set \"{newRS.Metadata.Name}\": {e.Message}";
            if (DeploymentConditions.HasProgressDeadline(d))
            {
                DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.FailedRSCreateReason, msg, Now));
                try
                {
                    await UpdateStatusAsync(d, ct).ConfigureAwait(false);
                }
                catch (KubernetesApiException)
                {
                }
            }

            _events.Event(d, EventRecorder.Warning, DeploymentConditions.FailedRSCreateReason, msg);
            throw;
        }

        if (!alreadyExists && newReplicas > 0)
        {
            _events.Event(d, EventRecorder.Normal, "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} from 0 to {newReplicas}");
        }

        var update = DeploymentAnnotations.SetDeploymentRevision(d, newRevision);
        if (!alreadyExists && DeploymentConditions.HasProgressDeadline(d))
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                DeploymentConditions.NewRSReason, $"Created new replica set \"{created.Metadata.Name}\"", Now));
            update = true;
        }

        if (update)
        {
            await UpdateStatusAsync(d, ct).ConfigureAwait(false);
        }

        return created;
    }

    /// <summary>Upstream's <c>sync</c>: proportional scaling (paused Deployments, scaling events), cleanup when paused, status.</summary>
    private async Task SyncAsync(V1Deployment d, IReadOnlyList<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, false, ct).ConfigureAwait(false);
        await ScaleAsync(d, newRS, oldRSs, ct).ConfigureAwait(false);
        if (d.Spec.Paused == true)
        {
            await CleanupAsync(oldRSs, d, ct).ConfigureAwait(false);
        }

        await SyncDeploymentStatusAsync([.. oldRSs, newRS], newRS, d, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's <c>scale</c>: the one active (or latest) ReplicaSet takes the Deployment's replicas; a saturated new
    /// one means the old ones go to zero; otherwise the difference to replicas + maxSurge is spread over the active
    /// ReplicaSets in proportion to their size, the rounding leftover going to the first (largest).
    /// </summary>
    private async Task ScaleAsync(V1Deployment d, V1ReplicaSet? newRS, List<V1ReplicaSet> oldRSs, CancellationToken ct)
    {
        if (DeploymentUtil.FindActiveOrLatest(newRS, oldRSs) is { } activeOrLatest)
        {
            if (DeploymentUtil.Replicas(activeOrLatest) != DeploymentUtil.Replicas(d))
            {
                await ScaleReplicaSetAndRecordEventAsync(activeOrLatest, DeploymentUtil.Replicas(d), d, ct).ConfigureAwait(false);
            }

            return;
        }

        if (DeploymentUtil.IsSaturated(d, newRS))
        {
            foreach (var old in DeploymentUtil.Active(oldRSs))
            {
                await ScaleReplicaSetAndRecordEventAsync(old, 0, d, ct).ConfigureAwait(false);
            }

            return;
        }

        if (!DeploymentUtil.IsRollingUpdate(d))
        {
            return;
        }

        var allRSs = DeploymentUtil.Active(oldRSs.Append(newRS));
        var allowed = DeploymentUtil.Replicas(d) > 0 ? DeploymentUtil.Replicas(d) + DeploymentUtil.MaxSurge(d) : 0;
        var toAdd = allowed - DeploymentUtil.SpecReplicas(allRSs);
        if (toAdd > 0)
        {
            allRSs = [.. allRSs.Order(DeploymentUtil.BySizeNewer)];
        }
        else if (toAdd < 0)
        {
            allRSs = [.. allRSs.Order(DeploymentUtil.BySizeOlder)];
        }

        var added = 0;
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rs in allRSs)
        {
            var proportion = toAdd != 0 ? DeploymentUtil.GetProportion(rs, d, toAdd, added) : 0;
            sizes[rs.Metadata.Name] = DeploymentUtil.Replicas(rs) + proportion;
            added += proportion;
        }

        if (added != toAdd && allRSs.Count > 0)
        {
            var first = allRSs[0].Metadata.Name;
            sizes[first] = Math.Max(0, sizes[first] + toAdd - added);
        }

        foreach (var rs in allRSs)
        {
            await ScaleReplicaSetAsync(rs, sizes[rs.Metadata.Name], d, ct).ConfigureAwait(false);
        }
    }

    private Task<bool> ScaleReplicaSetAndRecordEventAsync(V1ReplicaSet rs, int newScale, V1Deployment d, CancellationToken ct) =>
        DeploymentUtil.Replicas(rs) == newScale
            ? Task.FromResult(false)
            : ScaleReplicaSetAsync(rs, newScale, d, ct);

    /// <summary>
    /// Upstream's <c>scaleReplicaSet</c>: writes the size and the desired/max-replicas annotations when either differs;
    /// a size change records <c>ScalingReplicaSet</c>. True when the size changed.
    /// </summary>
    private async Task<bool> ScaleReplicaSetAsync(V1ReplicaSet rs, int newScale, V1Deployment d, CancellationToken ct)
    {
        var replicas = DeploymentUtil.Replicas(d);
        var max = replicas + DeploymentUtil.MaxSurge(d);
        var sizeNeedsUpdate = DeploymentUtil.Replicas(rs) != newScale;
        if (!sizeNeedsUpdate && !DeploymentAnnotations.ReplicasNeedUpdate(rs, replicas, max))
        {
            return false;
        }

        var oldScale = DeploymentUtil.Replicas(rs);
        var copy = KubernetesSerialization.DeepCopy(rs);
        copy.Spec.Replicas = newScale;
        DeploymentAnnotations.SetReplicas(copy, replicas, max);
        await _ctx.Clientset.AppsV1().ReplicaSets(copy.Metadata.NamespaceProperty).UpdateAsync(copy, ct: ct).ConfigureAwait(false);
        if (sizeNeedsUpdate)
        {
            var operation = oldScale < newScale ? "up" : "down";
            LogScaled(d.Metadata.NamespaceProperty, d.Metadata.Name, operation, rs.Metadata.Name, oldScale, newScale);
            _events.Event(d, EventRecorder.Normal, "ScalingReplicaSet", $"Scaled {operation} replica set {rs.Metadata.Name} from {oldScale} to {newScale}");
        }

        return sizeNeedsUpdate;
    }

    /// <summary>
    /// Upstream's <c>cleanupDeployment</c>: deletes the oldest (by revision) old ReplicaSets beyond
    /// revisionHistoryLimit, skipping any that still has replicas, an unobserved generation, or is being deleted.
    /// </summary>
    private async Task CleanupAsync(List<V1ReplicaSet> oldRSs, V1Deployment d, CancellationToken ct)
    {
        if (d.Spec.RevisionHistoryLimit is not { } limit || limit == int.MaxValue)
        {
            return;
        }

        var cleanable = oldRSs.Where(rs => rs.Metadata.DeletionTimestamp is null).Order(DeploymentUtil.ByRevision).ToList();
        var diff = cleanable.Count - limit;
        for (var i = 0; i < diff; i++)
        {
            var rs = cleanable[i];
            if ((rs.Status?.Replicas ?? 0) != 0 || DeploymentUtil.Replicas(rs) != 0 || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0))
            {
                continue;
            }

            try
            {
                await _ctx.Clientset.AppsV1().ReplicaSets(rs.Metadata.NamespaceProperty).DeleteAsync(rs.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
            }
        }
    }

    /// <summary>Upstream's <c>isScalingEvent</c>: an active ReplicaSet was sized for other replicas than the Deployment's.</summary>
    private async Task<bool> IsScalingEventAsync(V1Deployment d, IReadOnlyList<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, false, ct).ConfigureAwait(false);
        return DeploymentUtil.Active(oldRSs.Append(newRS))
            .Any(rs => DeploymentAnnotations.Int(rs, DeploymentAnnotations.DesiredReplicas) is { } desired && desired != DeploymentUtil.Replicas(d));
    }

    /// <summary>
    /// Upstream's <c>checkPausedConditions</c>: Progressing becomes Unknown/DeploymentPaused when paused and
    /// Unknown/DeploymentResumed when resumed (never over ProgressDeadlineExceeded).
    /// </summary>
    private async Task CheckPausedConditionsAsync(V1Deployment d, CancellationToken ct)
    {
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            return;
        }

        var cond = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (cond?.Reason == DeploymentConditions.TimedOutReason)
        {
            return;
        }

        var pausedCondExists = cond?.Reason == DeploymentConditions.PausedDeployReason;
        if (d.Spec.Paused == true && !pausedCondExists)
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.PausedDeployReason, "Deployment is paused", Now));
        }
        else if (d.Spec.Paused != true && pausedCondExists)
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.ResumedDeployReason, "Deployment is resumed", Now));
        }
        else
        {
            return;
        }

        await UpdateStatusAsync(d, ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>syncDeploymentStatus</c>: writes <see cref="CalculateStatus"/> when it differs.</summary>
    private async Task SyncDeploymentStatusAsync(IReadOnlyList<V1ReplicaSet?> allRSs, V1ReplicaSet? newRS, V1Deployment d, CancellationToken ct)
    {
        var status = CalculateStatus(allRSs, newRS, d, Now);
        if (StatusEqual(d.Status, status))
        {
            return;
        }

        d.Status = status;
        await UpdateStatusAsync(d, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's <c>calculateStatus</c>: the counts over every ReplicaSet (updated: the new one's), observedGeneration,
    /// collisionCount, the existing conditions, and Available True/MinimumReplicasAvailable when at least
    /// replicas − maxUnavailable are available, else False/MinimumReplicasUnavailable.
    /// </summary>
    internal static V1DeploymentStatus CalculateStatus(IReadOnlyList<V1ReplicaSet?> allRSs, V1ReplicaSet? newRS, V1Deployment d, DateTime now)
    {
        var available = DeploymentUtil.AvailableReplicas(allRSs);
        var total = DeploymentUtil.SpecReplicas(allRSs);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = DeploymentUtil.ActualReplicas(allRSs),
            UpdatedReplicas = DeploymentUtil.ActualReplicas([newRS]),
            ReadyReplicas = DeploymentUtil.ReadyReplicas(allRSs),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, total - available),
            CollisionCount = d.Status?.CollisionCount,
            Conditions = d.Status?.Conditions?.Select(KubernetesSerialization.DeepCopy).ToList(),
        };
        if (available >= DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d))
        {
            DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Available, "True", DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", now));
        }
        else
        {
            DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Available, "False", DeploymentConditions.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
        }

        return status;
    }

    private static bool StatusEqual(V1DeploymentStatus? a, V1DeploymentStatus? b) =>
        KubernetesSerialization.Serialize(Normalize(a)) == KubernetesSerialization.Serialize(Normalize(b));

    // Zero counts and empty lists are the same status as absent ones.
    private static V1DeploymentStatus Normalize(V1DeploymentStatus? s) => new()
    {
        ObservedGeneration = s?.ObservedGeneration ?? 0,
        Replicas = s?.Replicas ?? 0,
        UpdatedReplicas = s?.UpdatedReplicas ?? 0,
        ReadyReplicas = s?.ReadyReplicas ?? 0,
        AvailableReplicas = s?.AvailableReplicas ?? 0,
        UnavailableReplicas = s?.UnavailableReplicas ?? 0,
        CollisionCount = s?.CollisionCount,
        Conditions = s?.Conditions is { Count: > 0 } c ? c : null,
    };
}
