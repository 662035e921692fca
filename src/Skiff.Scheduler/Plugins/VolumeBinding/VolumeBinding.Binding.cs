using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.VolumeBinding;

/// <summary>PreBind: the API updates of upstream's <c>BindPodVolumes</c>, then the wait for the PV controller.</summary>
internal sealed partial class VolumeBinding
{
    public const string BoundByControllerAnnotation = "pv.kubernetes.io/bound-by-controller";
    public const string BindCompletedAnnotation = "pv.kubernetes.io/bind-completed";
    private static readonly TimeSpan DefaultBindTimeout = TimeSpan.FromSeconds(600);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _bindTimeout = bindTimeout ?? DefaultBindTimeout;

    public async Task<Status?> PreBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken ct)
    {
        if (state.Read<PreFilterState>(StateKey) is not { Chosen: { } chosen } || clientset is null || (chosen.Bindings.Count == 0 && chosen.Provisions.Count == 0))
        {
            return null;
        }

        try
        {
            foreach (var (claim, pv) in chosen.Bindings)
            {
                if (VolumeMatcher.IsBoundTo(pv, claim) && !string.IsNullOrEmpty(pv.Spec.ClaimRef.Uid))
                {
                    continue;
                }

                // Upstream updates the volume it assumed; the resourceVersion makes a concurrent change a conflict.
                await clientset.CoreV1().PersistentVolumes().PatchAsync(pv.Metadata.Name, PatchType.Merge, new Dictionary<string, object?>
                {
                    ["metadata"] = new Dictionary<string, object?>
                    {
                        ["resourceVersion"] = pv.Metadata.ResourceVersion,
                        ["annotations"] = new Dictionary<string, object?> { [BoundByControllerAnnotation] = "yes" },
                    },
                    ["spec"] = new Dictionary<string, object?>
                    {
                        ["claimRef"] = new Dictionary<string, object?>
                        {
                            ["kind"] = "PersistentVolumeClaim",
                            ["apiVersion"] = "v1",
                            ["namespace"] = claim.Metadata.NamespaceProperty,
                            ["name"] = claim.Metadata.Name,
                            ["uid"] = claim.Metadata.Uid,
                            ["resourceVersion"] = claim.Metadata.ResourceVersion,
                        },
                    },
                }, ct: ct).ConfigureAwait(false);
            }

            foreach (var claim in chosen.Provisions)
            {
                if (claim.Metadata.Annotations?.TryGetValue(SelectedNodeAnnotation, out var selected) == true && selected == nodeName)
                {
                    continue;
                }

                await clientset.CoreV1().PersistentVolumeClaims(claim.Metadata.NamespaceProperty).PatchAsync(claim.Metadata.Name, PatchType.Merge,
                    new Dictionary<string, object?>
                    {
                        ["metadata"] = new Dictionary<string, object?> { ["annotations"] = new Dictionary<string, object?> { [SelectedNodeAnnotation] = nodeName } },
                    }, ct: ct).ConfigureAwait(false);
            }
        }
        catch (KubernetesApiException e)
        {
            return Status.Error($"binding volumes: {e.Message}");
        }

        return await WaitForBindingsAsync(chosen, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's <c>checkBindings</c> until every claim is bound by the PV controller; provisioned claims only when the
    /// scheduler can tell (a static-volume cluster has no provisioner, so they are not waited for). Error on timeout.
    /// </summary>
    private async Task<Status?> WaitForBindingsAsync(NodeVolumes chosen, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + _bindTimeout;
        while (true)
        {
            var pending = chosen.Bindings.Select(b => b.Claim).FirstOrDefault(c => !IsBound(c));
            if (pending is null)
            {
                return null;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                return Status.Error($"binding volumes: timed out waiting for the condition (claim \"{pending.Metadata.NamespaceProperty}/{pending.Metadata.Name}\" not bound)");
            }

            await Task.Delay(PollInterval, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The claim as the informer has it now is bound by the PV controller (volumeName and bind-completed).</summary>
    private bool IsBound(V1PersistentVolumeClaim claim)
    {
        var now = _cluster.PersistentVolumeClaim(claim.Metadata.NamespaceProperty, claim.Metadata.Name);
        return now is not null && now.Metadata.Uid == claim.Metadata.Uid && !string.IsNullOrEmpty(now.Spec?.VolumeName)
            && now.Metadata.Annotations?.ContainsKey(BindCompletedAnnotation) == true;
    }
}
