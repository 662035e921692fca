using k8s.Models;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>Creating and deleting pods (upstream's <c>manageReplicas</c> and <c>RealPodControl</c>).</summary>
internal sealed partial class ReplicaSetController
{
    private async Task ManageReplicasAsync(List<V1Pod> pods, V1ReplicaSet rs, string key, CancellationToken ct)
    {
        var diff = pods.Count - (rs.Spec.Replicas ?? 1);
        if (diff < 0)
        {
            var need = -diff;
            var create = Math.Min(need, BurstReplicas);
            LogTooFew(_kind.Kind, key, need, create);

            // Expect every creation before any is sent: the informer may see a pod before CreateAsync returns.
            Expectations.ExpectCreations(key, create);
            var controllerRef = ControllerRefManager<V1Pod>.NewControllerRef(rs.Metadata, _kind.ApiVersion, _kind.Kind);
            var result = await SlowStart.RunAsync(create, SlowStart.InitialBatchSize, c => CreatePodAsync(rs, controllerRef, c), ct).ConfigureAwait(false);
            var skipped = create - result.Successes;
            if (skipped > 0)
            {
                LogSkipped(_kind.Kind, key, skipped);
                for (var i = 0; i < skipped; i++)
                {
                    Expectations.CreationObserved(key);
                }
            }

            if (result.FirstError is { } error && !IsNamespaceTerminating(error))
            {
                throw error;
            }
        }
        else if (diff > 0)
        {
            var delete = Math.Min(diff, BurstReplicas);
            LogTooMany(_kind.Kind, key, rs.Spec.Replicas ?? 1, delete);
            var victims = PodsToDelete(pods, RelatedPods(rs), delete);

            // Expect every deletion first, for the same reason.
            Expectations.ExpectDeletions(key, [.. victims.Select(PodStatusUtil.Key)]);
            var deletes = victims.Select(async pod =>
            {
                try
                {
                    await DeletePodAsync(rs, pod, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The informer will not see this deletion.
                    Expectations.DeletionObserved(key, PodStatusUtil.Key(pod));
                    if (e is not KubernetesApiException { IsNotFound: true })
                    {
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
                throw failed.Exception!.InnerException!;
            }
        }
    }

    /// <summary>
    /// The <paramref name="count"/> pods to delete: all when that is every pod, else the first by
    /// <see cref="ActivePodsWithRanks"/>, each ranked by how many related pods share its node.
    /// </summary>
    internal IReadOnlyList<V1Pod> PodsToDelete(IReadOnlyList<V1Pod> pods, IReadOnlyList<V1Pod> related, int count)
    {
        if (count >= pods.Count)
        {
            return pods;
        }

        return RankedForDeletion(pods, related, _ctx.TimeProvider.GetUtcNow().UtcDateTime).Take(count).ToList();
    }

    /// <summary>Upstream's <c>getPodsRankedByRelatedPodsOnSameNode</c>, sorted: the pod to delete first first.</summary>
    internal static IReadOnlyList<V1Pod> RankedForDeletion(IReadOnlyList<V1Pod> pods, IReadOnlyList<V1Pod> related, DateTime now)
    {
        var onNode = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in related.Where(PodStatusUtil.IsActive))
        {
            var node = p.Spec?.NodeName ?? "";
            onNode[node] = onNode.GetValueOrDefault(node) + 1;
        }

        var ranks = pods.Select(p => onNode.GetValueOrDefault(p.Spec?.NodeName ?? "")).ToArray();
        return new ActivePodsWithRanks(pods, ranks, now).Sorted();
    }

    /// <summary>
    /// Upstream's <c>getIndirectlyRelatedPods</c>: the pods selected by every object with the same controller as
    /// <paramref name="rs"/> (the ReplicaSets of one Deployment), each once; none when <paramref name="rs"/> has no controller.
    /// </summary>
    private List<V1Pod> RelatedPods(V1ReplicaSet rs)
    {
        var related = new List<V1Pod>();
        if (ControllerRefManager<V1ReplicaSet>.ControllerOf(rs.Metadata) is not { } owner)
        {
            return related;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in _kind.List(rs.Metadata.NamespaceProperty))
        {
            if (ControllerRefManager<V1ReplicaSet>.ControllerOf(other.Metadata)?.Uid != owner.Uid)
            {
                continue;
            }

            var selector = Selectors.From(other.Spec.Selector);
            foreach (var pod in _pods.Lister.List(rs.Metadata.NamespaceProperty, selector))
            {
                if (seen.Add(pod.Metadata.Uid))
                {
                    related.Add(pod);
                }
            }
        }

        return related;
    }

    private async Task CreatePodAsync(V1ReplicaSet rs, V1OwnerReference controllerRef, CancellationToken ct)
    {
        var pod = PodFromTemplate(rs, controllerRef);
        if (pod.Metadata.Labels is not { Count: > 0 })
        {
            throw new InvalidOperationException("unable to create pods, no labels");
        }

        V1Pod created;
        try
        {
            created = await _ctx.Clientset.CoreV1().Pods(rs.Metadata.NamespaceProperty).CreateAsync(pod, ct: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!IsNamespaceTerminating(e))
            {
                _events.Event(rs, EventRecorder.Warning, "FailedCreate", $"Error creating: {e.Message}");
            }

            throw;
        }

        _events.Event(rs, EventRecorder.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
    }

    private async Task DeletePodAsync(V1ReplicaSet rs, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).DeleteAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (!e.IsNotFound)
        {
            _events.Event(rs, EventRecorder.Warning, "FailedDelete", $"Error deleting: {e.Message}");
            throw new InvalidOperationException($"unable to delete pods: {e.Message}", e);
        }

        _events.Event(rs, EventRecorder.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
    }

    /// <summary>
    /// Upstream's <c>GetPodFromTemplate</c>: the template's labels, annotations, finalizers and spec; <c>generateName</c>
    /// <c>&lt;owner&gt;-</c>; the controller reference.
    /// </summary>
    internal static V1Pod PodFromTemplate(V1ReplicaSet rs, V1OwnerReference controllerRef)
    {
        var template = rs.Spec.Template;
        var spec = template?.Spec is { } s ? KubernetesSerialization.DeepCopy(s) : new V1PodSpec();
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                NamespaceProperty = rs.Metadata.NamespaceProperty,
                GenerateName = PodNamePrefix(rs.Metadata.Name),
                Labels = template?.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : null,
                Annotations = template?.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                Finalizers = template?.Metadata?.Finalizers is { } f ? [.. f] : null,
                OwnerReferences = [controllerRef],
            },
            Spec = spec,
        };
    }

    /// <summary>Upstream's <c>getPodsPrefix</c>: <c>&lt;name&gt;-</c> (the API server truncates long prefixes).</summary>
    internal static string PodNamePrefix(string controllerName) => controllerName + "-";

    private static bool IsNamespaceTerminating(Exception e) =>
        e is KubernetesApiException k && k.Status.Details?.Causes?.Any(c => c.Reason == "NamespaceTerminating") == true;

    private void Enqueue(V1ReplicaSet rs) => Controller.Queue.Add(new ReconcileRequest(rs.Metadata.NamespaceProperty, rs.Metadata.Name));
}
