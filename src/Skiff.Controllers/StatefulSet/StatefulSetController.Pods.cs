using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;

namespace Skiff.Controllers.StatefulSet;

/// <summary>Pod and claim writes (upstream's <c>StatefulPodControl</c>), with upstream's event reasons and messages.</summary>
internal sealed partial class StatefulSetController
{
    /// <summary>Upstream's <c>CreateStatefulPod</c>: the pod's claims first, then the pod, then the claims' retention owners.</summary>
    private async Task CreatePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        await CreateClaimsAsync(set, pod, ct).ConfigureAwait(false);
        V1Pod created;
        try
        {
            created = await _ctx.Clientset.CoreV1().Pods(set.Metadata.NamespaceProperty).CreateAsync(pod, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            PodEvent(set, pod, "create", e);
            throw;
        }

        LogPodAction(set.Metadata.NamespaceProperty + "/" + set.Metadata.Name, "created", pod.Metadata.Name);
        PodEvent(set, pod, "create", null);
        await UpdateClaimsForRetentionAsync(set, created, ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>UpdateStatefulPod</c>: restores identity and storage (creating missing claims) and the claims' retention owners.</summary>
    private async Task UpdatePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        var client = _ctx.Clientset.CoreV1().Pods(set.Metadata.NamespaceProperty);
        var copy = KubernetesSerialization.DeepCopy(pod);
        for (var attempt = 0; ; attempt++)
        {
            var changed = false;
            if (!StatefulSetUtil.IdentityMatches(set, copy))
            {
                StatefulSetUtil.UpdateIdentity(set, copy);
                changed = true;
            }

            if (!StatefulSetUtil.StorageMatches(set, copy))
            {
                StatefulSetUtil.UpdateStorage(set, copy);
                await CreateClaimsAsync(set, copy, ct).ConfigureAwait(false);
                changed = true;
            }

            if (!ClaimsMatchRetentionPolicy(set, copy))
            {
                await UpdateClaimsForRetentionAsync(set, copy, ct).ConfigureAwait(false);
            }

            if (!changed)
            {
                return;
            }

            try
            {
                await client.UpdateAsync(copy, ct: ct).ConfigureAwait(false);
                PodEvent(set, copy, "update", null);
                return;
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < 3)
            {
                copy = await client.GetAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PodEvent(set, copy, "update", e);
                throw;
            }
        }
    }

    private async Task DeletePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _ctx.Clientset.CoreV1().Pods(set.Metadata.NamespaceProperty).DeleteAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            PodEvent(set, pod, "delete", e);
            throw;
        }

        LogPodAction(set.Metadata.NamespaceProperty + "/" + set.Metadata.Name, "deleted", pod.Metadata.Name);
        PodEvent(set, pod, "delete", null);
    }

    /// <summary>Upstream's <c>createPersistentVolumeClaims</c>: creates the pod's missing claims; a claim being deleted is an error.</summary>
    private async Task CreateClaimsAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        var errors = new List<Exception>();
        foreach (var claim in StatefulSetUtil.Claims(set, StatefulSetUtil.Ordinal(pod)).Values)
        {
            var existing = _claims.Lister.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name);
            if (existing is not null)
            {
                if (existing.Metadata.DeletionTimestamp is not null)
                {
                    errors.Add(new InvalidOperationException($"pvc {claim.Metadata.Name} is being deleted"));
                }

                continue;
            }

            try
            {
                await _ctx.Clientset.CoreV1().PersistentVolumeClaims(claim.Metadata.NamespaceProperty).CreateAsync(claim, ct: ct).ConfigureAwait(false);
                _events.Event(set, EventRecorder.Normal, "SuccessfulCreate",
                    $"create Claim {claim.Metadata.Name} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} success");
            }
            catch (KubernetesApiException e) when (e.IsAlreadyExists)
            {
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _events.Event(set, EventRecorder.Warning, "FailedCreate",
                    $"create Claim {claim.Metadata.Name} for Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {e.Message}");
                errors.Add(new InvalidOperationException($"failed to create PVC {claim.Metadata.Name}: {e.Message}", e));
            }
        }

        if (errors.Count > 0)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException(errors);
        }
    }

    /// <summary>Upstream's <c>ClaimsMatchRetentionPolicy</c>: every existing claim of the pod has the owners the policy wants.</summary>
    private bool ClaimsMatchRetentionPolicy(V1StatefulSet set, V1Pod pod)
    {
        foreach (var claim in StatefulSetUtil.Claims(set, StatefulSetUtil.Ordinal(pod)).Values)
        {
            if (_claims.Lister.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name) is { } existing &&
                ClaimRetention.UpdateOwnerRefs(KubernetesSerialization.DeepCopy(existing), set, pod))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Upstream's <c>UpdatePodClaimForRetentionPolicy</c>: sets the owners the policy wants on every existing claim of the pod.</summary>
    private async Task UpdateClaimsForRetentionAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        foreach (var claim in StatefulSetUtil.Claims(set, StatefulSetUtil.Ordinal(pod)).Values)
        {
            if (_claims.Lister.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name) is not { } existing)
            {
                continue;
            }

            var copy = KubernetesSerialization.DeepCopy(existing);
            if (ClaimRetention.UpdateOwnerRefs(copy, set, pod))
            {
                try
                {
                    await _ctx.Clientset.CoreV1().PersistentVolumeClaims(copy.Metadata.NamespaceProperty).UpdateAsync(copy, ct: ct).ConfigureAwait(false);
                }
                catch (KubernetesApiException e) when (e.IsNotFound)
                {
                }
            }
        }
    }

    /// <summary>Upstream's <c>PodClaimIsStale</c>: with WhenScaled=Delete, a claim still owned by an earlier pod of the same name.</summary>
    private bool PodClaimIsStale(V1StatefulSet set, V1Pod pod)
    {
        if (StatefulSetUtil.RetentionPolicy(set).WhenScaled != "Delete")
        {
            return false;
        }

        return StatefulSetUtil.Claims(set, StatefulSetUtil.Ordinal(pod)).Values.Any(claim =>
            _claims.Lister.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name) is { } existing &&
            (existing.Metadata.OwnerReferences ?? []).Any(r => r.Kind == "Pod" && r.Name == pod.Metadata.Name && r.Uid != pod.Metadata.Uid));
    }

    /// <summary>Upstream's <c>recordPodEvent</c>.</summary>
    private void PodEvent(V1StatefulSet set, V1Pod pod, string verb, Exception? error)
    {
        var reason = (error is null ? "Successful" : "Failed") + char.ToUpperInvariant(verb[0]) + verb[1..];
        var message = error is null
            ? $"{verb} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful"
            : $"{verb} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {error.Message}";
        _events.Event(set, error is null ? EventRecorder.Normal : EventRecorder.Warning, reason, message);
    }
}
