using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;
using Skiff.Controllers.Common.History;
using Skiff.Controllers.Deployment;

namespace Skiff.Controllers.DaemonSet;

/// <summary>Revisions and status (upstream's <c>constructHistory</c>, <c>snapshot</c>, <c>cleanupHistory</c>, <c>updateDaemonSetStatus</c>).</summary>
internal sealed partial class DaemonSetController
{
    /// <summary>
    /// Upstream's <c>constructHistory</c>: the revision matching the current template (created when none does, the
    /// duplicates folded into one, its revision bumped past every other) and the old revisions.
    /// </summary>
    private async Task<(V1ControllerRevision Current, List<V1ControllerRevision> Old)> ConstructHistoryAsync(V1DaemonSet ds,
        Skiff.Api.Selectors.LabelSelector selector, CancellationToken ct)
    {
        var ns = ds.Metadata.NamespaceProperty;
        var client = ControllerHistory.Revisions(_ctx.Clientset, ns);
        var histories = await ControllerHistory.ClaimAsync(_ctx.Clientset, ds.Metadata, ApiVersion, Kind, selector,
            _revisions.Lister.List(ns), c => CanAdoptAsync(ds, c), ct).ConfigureAwait(false);
        var patch = ControllerHistory.TemplatePatch(ds.Spec.Template ?? new V1PodTemplateSpec());
        var canonical = ControllerHistory.CanonicalData(patch);
        var current = new List<V1ControllerRevision>();
        var old = new List<V1ControllerRevision>();
        foreach (var h in histories)
        {
            var history = h;
            if (history.Metadata.Labels?.ContainsKey(ControllerHistory.HashLabel) != true)
            {
                // Label it with its name rather than a recomputed hash, which may have collided.
                history = KubernetesSerialization.DeepCopy(history);
                history.Metadata.Labels ??= new Dictionary<string, string>();
                history.Metadata.Labels[ControllerHistory.HashLabel] = history.Metadata.Name;
                history = await client.UpdateAsync(history, ct: ct).ConfigureAwait(false);
            }

            (ControllerHistory.CanonicalData(history.Data) == canonical ? current : old).Add(history);
        }

        var next = ControllerHistory.NextRevision(old);
        if (current.Count == 0)
        {
            return (await SnapshotAsync(ds, next, patch, ct).ConfigureAwait(false), old);
        }

        // Upstream's dedupCurHistories: keep the one with the highest revision, move pods off the others, delete them.
        var keep = current.OrderByDescending(r => r.Revision).First();
        foreach (var dup in current.Where(r => r.Metadata.Uid != keep.Metadata.Uid))
        {
            var dupHash = ControllerHistory.HashOf(dup.Metadata);
            foreach (var pod in _pods.Lister.List(ns).Where(p => ControllerHistory.HashOf(p.Metadata) is { } ph && ph == dupHash))
            {
                var relabel = new System.Text.Json.Nodes.JsonObject
                {
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject
                    {
                        ["labels"] = new System.Text.Json.Nodes.JsonObject { [ControllerHistory.HashLabel] = keep.Metadata.Labels![ControllerHistory.HashLabel] },
                    },
                };
                await _ctx.Clientset.CoreV1().Pods(ns).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, relabel, ct: ct).ConfigureAwait(false);
            }

            await client.DeleteAsync(dup.Metadata.Name, ct: ct).ConfigureAwait(false);
        }

        if (keep.Revision < next)
        {
            var bumped = KubernetesSerialization.DeepCopy(keep);
            bumped.Revision = next;
            keep = await client.UpdateAsync(bumped, ct: ct).ConfigureAwait(false);
        }

        return (keep, old);
    }

    /// <summary>
    /// Upstream's <c>snapshot</c>: creates the revision <c>&lt;ds&gt;-&lt;hash&gt;</c> (the pod template hash with the
    /// set's collisionCount); when the name is taken by other data, bumps the set's collisionCount and fails the sync.
    /// </summary>
    private async Task<V1ControllerRevision> SnapshotAsync(V1DaemonSet ds, long revision, string patch, CancellationToken ct)
    {
        var ns = ds.Metadata.NamespaceProperty;
        var hash = PodTemplateHash.Compute(ds.Spec.Template ?? new V1PodTemplateSpec(), ds.Status?.CollisionCount);
        var labels = ds.Spec.Template?.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : new Dictionary<string, string>();
        labels[ControllerHistory.HashLabel] = hash;
        var history = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                Name = ds.Metadata.Name + "-" + hash,
                NamespaceProperty = ns,
                Labels = labels,
                Annotations = ds.Metadata.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                OwnerReferences = [ControllerRefManager<V1ControllerRevision>.NewControllerRef(ds.Metadata, ApiVersion, Kind)],
            },
            Data = System.Text.Json.JsonDocument.Parse(patch).RootElement.Clone(),
            Revision = revision,
        };
        var client = ControllerHistory.Revisions(_ctx.Clientset, ns);
        try
        {
            return await client.CreateAsync(history, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
            var existing = await client.GetAsync(history.Metadata.Name, ct: ct).ConfigureAwait(false);
            if (ControllerHistory.Equal(existing, history) &&
                ControllerRefManager<V1ControllerRevision>.ControllerOf(existing.Metadata)?.Uid == ds.Metadata.Uid)
            {
                return existing;
            }

            var fresh = await _ctx.Clientset.AppsV1().DaemonSets(ns).GetAsync(ds.Metadata.Name, ct: ct).ConfigureAwait(false);
            if (fresh.Status?.CollisionCount != ds.Status?.CollisionCount)
            {
                throw new InvalidOperationException($"found a stale collision count ({fresh.Status?.CollisionCount}, expected {ds.Status?.CollisionCount}) of DaemonSet {ns}/{ds.Metadata.Name} while processing; will retry until it is updated");
            }

            fresh.Status ??= new V1DaemonSetStatus();
            fresh.Status.CollisionCount = (fresh.Status.CollisionCount ?? 0) + 1;
            await _ctx.Clientset.AppsV1().DaemonSets(ns).UpdateStatusAsync(fresh, ct: ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Upstream's <c>cleanupHistory</c>: deletes the oldest old revisions no pod still uses, beyond revisionHistoryLimit.</summary>
    private async Task CleanupHistoryAsync(V1DaemonSet ds, Skiff.Api.Selectors.LabelSelector selector, List<V1ControllerRevision> old, CancellationToken ct)
    {
        var toKill = old.Count - (ds.Spec.RevisionHistoryLimit ?? 10);
        if (toKill <= 0)
        {
            return;
        }

        var byNode = await NodesToDaemonPodsAsync(ds, selector, ct).ConfigureAwait(false);
        var live = byNode.Values.SelectMany(p => p)
            .Select(p => ControllerHistory.HashOf(p.Metadata))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var history in ControllerHistory.Sort(old))
        {
            if (toKill <= 0)
            {
                break;
            }

            if (ControllerHistory.HashOf(history.Metadata) is { } h && live.Contains(h))
            {
                continue;
            }

            try
            {
                await ControllerHistory.Revisions(_ctx.Clientset, ds.Metadata.NamespaceProperty).DeleteAsync(history.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
            }

            toKill--;
        }
    }

    /// <summary>Upstream's <c>updateDaemonSetStatus</c>; requeues after minReadySeconds while ready pods are not yet available.</summary>
    private async Task<Skiff.Client.Runtime.ReconcileResult> UpdateStatusAsync(V1DaemonSet ds, Skiff.Api.Selectors.LabelSelector selector,
        IReadOnlyList<V1Node> nodes, string hash, bool updateObservedGeneration, CancellationToken ct)
    {
        var byNode = await NodesToDaemonPodsAsync(ds, selector, ct).ConfigureAwait(false);
        int desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
        var now = _ctx.TimeProvider.GetUtcNow();
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        var generation = DaemonSetPods.TemplateGeneration(ds);
        foreach (var node in nodes)
        {
            var shouldRun = DaemonSetPods.ShouldRun(node, ds).ShouldRun;
            var scheduled = byNode.TryGetValue(node.Metadata.Name, out var pods) && pods.Count > 0;
            if (!shouldRun)
            {
                misscheduled += scheduled ? 1 : 0;
                continue;
            }

            desired++;
            if (!scheduled)
            {
                continue;
            }

            current++;
            var pod = pods!.OrderBy(p => p, PodByCreationAndPhase.Instance).First();
            if (PodStatusUtil.IsReady(pod))
            {
                ready++;
                available += PodStatusUtil.IsAvailable(pod, minReady, now) ? 1 : 0;
            }

            updated += DaemonSetPods.IsUpdated(pod, hash, generation) ? 1 : 0;
        }

        var old = ds.Status ?? new V1DaemonSetStatus();
        var observed = updateObservedGeneration ? ds.Metadata.Generation : old.ObservedGeneration;
        if (old.DesiredNumberScheduled != desired || old.CurrentNumberScheduled != current || old.NumberMisscheduled != misscheduled ||
            old.NumberReady != ready || old.UpdatedNumberScheduled != updated || old.NumberAvailable != available ||
            (old.NumberUnavailable ?? 0) != desired - available || old.ObservedGeneration != observed)
        {
            var copy = KubernetesSerialization.DeepCopy(ds);
            for (var attempt = 0; ; attempt++)
            {
                copy.Status ??= new V1DaemonSetStatus();
                copy.Status.DesiredNumberScheduled = desired;
                copy.Status.CurrentNumberScheduled = current;
                copy.Status.NumberMisscheduled = misscheduled;
                copy.Status.NumberReady = ready;
                copy.Status.UpdatedNumberScheduled = updated;
                copy.Status.NumberAvailable = available;
                copy.Status.NumberUnavailable = desired - available;
                copy.Status.ObservedGeneration = observed;
                try
                {
                    await _ctx.Clientset.AppsV1().DaemonSets(ds.Metadata.NamespaceProperty).UpdateStatusAsync(copy, ct: ct).ConfigureAwait(false);
                    break;
                }
                catch (KubernetesApiException e) when (e.IsConflict && attempt < 1)
                {
                    copy = await _ctx.Clientset.AppsV1().DaemonSets(ds.Metadata.NamespaceProperty).GetAsync(ds.Metadata.Name, ct: ct).ConfigureAwait(false);
                }
            }
        }

        return minReady > 0 && ready != available
            ? Skiff.Client.Runtime.ReconcileResult.After(TimeSpan.FromSeconds(minReady))
            : Skiff.Client.Runtime.ReconcileResult.Done;
    }
}
