using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Dynamic;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>The collector's two attempts (upstream's <c>attemptToDeleteItem</c> and <c>attemptToOrphanWorker</c>).</summary>
public sealed partial class GarbageCollector
{
    /// <summary>
    /// One attempt to delete <paramref name="item"/>; returns true to requeue it with backoff (upstream: the object
    /// exists but no informer has reported it yet).
    /// </summary>
    private async Task<bool> AttemptToDeleteItemAsync(DependencyGraphBuilder graph, GraphNode item, CancellationToken ct)
    {
        ObjectIdentity identity;
        lock (graph.Lock)
        {
            // "Being deleted" is a one-way trip: wait for the deletion, then process the dependents.
            if (item.BeingDeleted && !item.DeletingDependents)
            {
                return false;
            }

            identity = item.Identity;
        }

        var latest = await GetObjectAsync(identity, ct).ConfigureAwait(false);
        if (latest is null || latest.Metadata.Uid != identity.Uid)
        {
            // Gone (or replaced by another object of that name): let the graph drop the node and queue its dependents.
            graph.EnqueueVirtualDelete(identity);
            return false;
        }

        bool deletingDependents;
        lock (graph.Lock)
        {
            deletingDependents = item.DeletingDependents;
        }

        if (deletingDependents)
        {
            await ProcessDeletingDependentsItemAsync(graph, item, ct).ConfigureAwait(false);
            return Unobserved(graph, item);
        }

        var refs = latest.Metadata.OwnerReferences ?? [];
        if (refs.Count == 0)
        {
            return Unobserved(graph, item);
        }

        var (solid, dangling, waiting) = await ClassifyReferencesAsync(identity, refs, ct).ConfigureAwait(false);
        if (solid.Count > 0)
        {
            if (dangling.Count > 0 || waiting.Count > 0)
            {
                // Keep the object; drop the references to owners that are gone or that wait for their dependents
                // (else those owners would wait for ever).
                LogRemovingReferences(identity.ToString(), dangling.Count + waiting.Count);
                await RemoveOwnerReferencesAsync(identity, [.. dangling.Concat(waiting).Select(r => r.Uid)], ct).ConfigureAwait(false);
            }

            return Unobserved(graph, item);
        }

        bool hasDependents;
        bool dependentDeletingDependents;
        lock (graph.Lock)
        {
            hasDependents = item.Dependents.Count > 0;
            dependentDeletingDependents = item.Dependents.Any(d => d.DeletingDependents);
        }

        string policy;
        if (waiting.Count > 0 && hasDependents)
        {
            if (dependentDeletingDependents)
            {
                // A possible cycle of foreground deletions: stop blocking our owners (upstream's heuristic).
                await UnblockOwnerReferencesAsync(identity, ct).ConfigureAwait(false);
            }

            policy = "Foreground";
        }
        else
        {
            var finalizers = latest.Metadata.Finalizers ?? [];
            policy = finalizers.Contains(GcFinalizers.Orphan) ? "Orphan" : finalizers.Contains(GcFinalizers.ForegroundDeletion) ? "Foreground" : "Background";
        }

        LogDeleting(identity.ToString(), policy);
        await DeleteObjectAsync(identity, policy, ct).ConfigureAwait(false);
        return Unobserved(graph, item);
    }

    /// <summary>An owner deleted in the foreground: done when no blocking dependent is left, else its dependents go first.</summary>
    private async Task ProcessDeletingDependentsItemAsync(DependencyGraphBuilder graph, GraphNode item, CancellationToken ct)
    {
        List<GraphNode> blocking;
        ObjectIdentity identity;
        lock (graph.Lock)
        {
            blocking = [.. item.BlockingDependents()];
            identity = item.Identity;
            foreach (var dep in blocking.Where(d => !d.DeletingDependents))
            {
                _attemptToDelete.Add(dep);
            }
        }

        if (blocking.Count == 0)
        {
            LogRemovingFinalizer(identity.ToString(), GcFinalizers.ForegroundDeletion);
            await RemoveFinalizerAsync(identity, GcFinalizers.ForegroundDeletion, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Orphans <paramref name="owner"/>'s dependents (drops their references to it), then removes its <c>orphan</c> finalizer.</summary>
    private async Task<bool> AttemptToOrphanAsync(DependencyGraphBuilder graph, GraphNode owner, CancellationToken ct)
    {
        List<ObjectIdentity> dependents;
        ObjectIdentity identity;
        lock (graph.Lock)
        {
            dependents = [.. owner.Dependents.Select(d => d.Identity)];
            identity = owner.Identity;
        }

        var errors = new List<Exception>();
        await Parallel.ForEachAsync(dependents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (dep, token) =>
        {
            try
            {
                await RemoveOwnerReferencesAsync(dep, [identity.Uid], token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException or RestMappingException)
            {
                lock (errors)
                {
                    errors.Add(e);
                }
            }
        }).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            throw new AggregateException($"orphaning the dependents of {identity} failed", errors);
        }

        LogRemovingFinalizer(identity.ToString(), GcFinalizers.Orphan);
        await RemoveFinalizerAsync(identity, GcFinalizers.Orphan, ct).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Sorts <paramref name="refs"/> into solid owners, dangling ones (absent, or present with another uid) and ones
    /// waiting for their dependents (being deleted with <c>foregroundDeletion</c>), each checked with a live GET.
    /// </summary>
    private async Task<(List<V1OwnerReference> Solid, List<V1OwnerReference> Dangling, List<V1OwnerReference> Waiting)> ClassifyReferencesAsync(
        ObjectIdentity item, IList<V1OwnerReference> refs, CancellationToken ct)
    {
        List<V1OwnerReference> solid = [], dangling = [], waiting = [];
        foreach (var r in refs)
        {
            var (isDangling, owner) = await IsDanglingAsync(item, r, ct).ConfigureAwait(false);
            if (isDangling)
            {
                dangling.Add(r);
            }
            else if (owner!.Metadata.DeletionTimestamp is not null && owner.Metadata.Finalizers?.Contains(GcFinalizers.ForegroundDeletion) == true)
            {
                waiting.Add(r);
            }
            else
            {
                solid.Add(r);
            }
        }

        return (solid, dangling, waiting);
    }

    private async Task<(bool Dangling, DynamicObject? Owner)> IsDanglingAsync(ObjectIdentity item, V1OwnerReference r, CancellationToken ct)
    {
        var key = new ObjectIdentity(r.ApiVersion, r.Kind, r.Name, r.Uid, "");
        if (_graph!.AbsentOwners.Has(key) || _graph.AbsentOwners.Has(key.WithNamespace(item.Namespace)))
        {
            return (true, null);
        }

        var (gvr, namespaced) = await _mapper.MapAsync(r.ApiVersion, r.Kind, ct).ConfigureAwait(false);
        if (namespaced && item.Namespace.Length == 0)
        {
            // A cluster-scoped object cannot have a namespaced owner: the reference is ignored, never retried.
            LogNamespacedOwnerOfClusterScoped(item.ToString(), r.Kind, r.Name);
            throw new NamespacedOwnerException(item.ToString(), r.Kind, r.Name);
        }

        var absentKey = namespaced ? key.WithNamespace(item.Namespace) : key;
        try
        {
            var owner = new DynamicObject(await _dynamic.Resource(gvr).Namespace(namespaced ? item.Namespace : null).GetAsync(r.Name, ct: ct).ConfigureAwait(false));
            if (owner.Metadata.Uid != r.Uid)
            {
                _graph.AbsentOwners.Add(absentKey);
                return (true, null);
            }

            return (false, owner);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            _graph.AbsentOwners.Add(absentKey);
            return (true, null);
        }
    }

    /// <summary>The object of <paramref name="identity"/> as the API server has it now; null when it does not exist.</summary>
    private async Task<DynamicObject?> GetObjectAsync(ObjectIdentity identity, CancellationToken ct)
    {
        var client = await ClientForAsync(identity, ct).ConfigureAwait(false);
        try
        {
            return new DynamicObject(await client.GetAsync(identity.Name, ct: ct).ConfigureAwait(false));
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task<DynamicResourceClient> ClientForAsync(ObjectIdentity identity, CancellationToken ct)
    {
        var (gvr, namespaced) = await _mapper.MapAsync(identity.ApiVersion, identity.Kind, ct).ConfigureAwait(false);
        return _dynamic.Resource(gvr).Namespace(namespaced ? identity.Namespace : null);
    }

    /// <summary>Deletes the object with <paramref name="policy"/> and a uid precondition; already gone is fine.</summary>
    private async Task DeleteObjectAsync(ObjectIdentity identity, string policy, CancellationToken ct)
    {
        var client = await ClientForAsync(identity, ct).ConfigureAwait(false);
        try
        {
            await client.DeleteAsync(identity.Name, new DeleteOptions { PreconditionUid = identity.Uid, PropagationPolicy = policy }, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
        }
    }

    /// <summary>Drops the ownerReferences with <paramref name="ownerUids"/> from the object (a JSON merge patch guarded by resourceVersion).</summary>
    private Task RemoveOwnerReferencesAsync(ObjectIdentity identity, IReadOnlyCollection<string> ownerUids, CancellationToken ct)
        => PatchMetadataAsync(identity, meta =>
        {
            var refs = meta["ownerReferences"] as JsonArray ?? [];
            var kept = refs.Where(r => !ownerUids.Contains((string?)r?["uid"] ?? "")).Select(r => r!.DeepClone()).ToArray();
            return kept.Length == refs.Count ? null : new JsonObject { ["ownerReferences"] = kept.Length == 0 ? null : new JsonArray(kept) };
        }, ct);

    /// <summary>Sets <c>blockOwnerDeletion: false</c> on every blocking reference of the object.</summary>
    private Task UnblockOwnerReferencesAsync(ObjectIdentity identity, CancellationToken ct)
        => PatchMetadataAsync(identity, meta =>
        {
            var refs = meta["ownerReferences"] as JsonArray ?? [];
            if (!refs.Any(r => (bool?)r?["blockOwnerDeletion"] == true))
            {
                return null;
            }

            var updated = new JsonArray([.. refs.Select(r =>
            {
                var copy = (JsonObject)r!.DeepClone();
                if ((bool?)copy["blockOwnerDeletion"] == true)
                {
                    copy["blockOwnerDeletion"] = false;
                }

                return (JsonNode)copy;
            })]);
            return new JsonObject { ["ownerReferences"] = updated };
        }, ct);

    private Task RemoveFinalizerAsync(ObjectIdentity identity, string finalizer, CancellationToken ct)
        => PatchMetadataAsync(identity, meta =>
        {
            var finalizers = meta["finalizers"] as JsonArray ?? [];
            var kept = finalizers.Where(f => (string?)f != finalizer).Select(f => f!.DeepClone()).ToArray();
            return kept.Length == finalizers.Count ? null : new JsonObject { ["finalizers"] = kept.Length == 0 ? null : new JsonArray(kept) };
        }, ct);

    /// <summary>
    /// Reads the object, lets <paramref name="change"/> compute a metadata merge patch from its metadata (null: nothing
    /// to do) and sends it with the read resourceVersion and uid; retried on conflict. A missing object is fine.
    /// </summary>
    private async Task PatchMetadataAsync(ObjectIdentity identity, Func<JsonObject, JsonObject?> change, CancellationToken ct)
    {
        var client = await ClientForAsync(identity, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var current = await client.GetAsync(identity.Name, ct: ct).ConfigureAwait(false);
                var meta = current["metadata"] as JsonObject ?? [];
                if ((string?)meta["uid"] != identity.Uid || change(meta) is not { } patch)
                {
                    return;
                }

                patch["resourceVersion"] = (string?)meta["resourceVersion"];
                await client.PatchAsync(identity.Name, PatchType.Merge, new JsonObject { ["metadata"] = patch }, ct: ct).ConfigureAwait(false);
                return;
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                return;
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < 5)
            {
            }
        }
    }

    /// <summary>True (requeue) while the item has not been observed through an informer (upstream issue 56121).</summary>
    private static bool Unobserved(DependencyGraphBuilder graph, GraphNode item)
    {
        lock (graph.Lock)
        {
            return item.Virtual;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "garbage collector: deleting {Item} with propagation {Policy}")]
    private partial void LogDeleting(string item, string policy);

    [LoggerMessage(Level = LogLevel.Debug, Message = "garbage collector: removing {Count} dangling or waiting owner references from {Item}")]
    private partial void LogRemovingReferences(string item, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "garbage collector: removing finalizer {Finalizer} from {Item}")]
    private partial void LogRemovingFinalizer(string item, string finalizer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collector: cluster-scoped {Item} names a namespaced owner {Kind} {Name}; ignored")]
    private partial void LogNamespacedOwnerOfClusterScoped(string item, string kind, string name);
}
