using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

/// <summary>The outcome of a delete: the object (last state, or marked for deletion) and whether it is gone now.</summary>
internal sealed record DeleteOutcome(JsonObject Object, bool DeletedNow, bool ReturnObject);

internal sealed partial class GenericStore
{
    /// <summary>Deletes one object, honouring preconditions, finalizers, propagation policy and graceful deletion.</summary>
    public async Task<DeleteOutcome> DeleteAsync(string ns, string name, DeleteOptions options, CancellationToken ct)
    {
        var key = Key(ns, name);
        var returnObject = ReturnsDeletedObject.Contains(Descriptor.Resource) && Descriptor.Group.Length == 0;
        while (true)
        {
            var kv = await _storage.GetAsync(key, 0, ct).ConfigureAwait(false);
            if (kv is null)
            {
                throw NotFound(name);
            }

            var current = await ReadAsync(kv, ct).ConfigureAwait(false);
            CheckPreconditions(current, key, name, options);
            if (options.Admission is { } admission)
            {
                await admission.DeleteAsync(current, ct).ConfigureAwait(false);
            }

            var marked = MarkForDeletion(current, options, out var keep);
            if (keep)
            {
                if (marked is null)
                {
                    // Already being deleted and nothing to change.
                    return new DeleteOutcome(current, false, true);
                }

                if (options.DryRun)
                {
                    return new DeleteOutcome(marked, false, true);
                }

                var swap = await _storage.CompareAndSwapAsync(key, kv.ModRevision, await WriteAsync(marked, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                if (!swap.Succeeded)
                {
                    continue;
                }

                return new DeleteOutcome(await ReadAsync(swap.Current!, ct).ConfigureAwait(false), false, true);
            }

            if (options.DryRun)
            {
                return new DeleteOutcome(current, true, returnObject);
            }

            var result = await _storage.CompareAndDeleteAsync(key, kv.ModRevision, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                continue;
            }

            Meta.Of(current)["resourceVersion"] = result.Revision.ToString(CultureInfo.InvariantCulture);
            await Strategy.AfterDeleteAsync(new StrategyContext(_storage), current, ct).ConfigureAwait(false);
            return new DeleteOutcome(current, true, returnObject);
        }
    }

    /// <summary>Deletes every object matching <paramref name="q"/> in <paramref name="ns"/>; returns what was deleted or marked.</summary>
    public async Task<(IReadOnlyList<JsonObject> Items, long Revision)> DeleteCollectionAsync(string ns, ListQuery q, DeleteOptions options, CancellationToken ct)
    {
        var page = await ListAsync(ns, q with { Limit = 0, Continue = "" }, ct).ConfigureAwait(false);
        var deleted = new List<JsonObject>();
        foreach (var item in page.Items)
        {
            try
            {
                var outcome = await DeleteAsync(Meta.Namespace(item), Meta.Name(item), options, ct).ConfigureAwait(false);
                deleted.Add(outcome.Object);
            }
            catch (Skiff.Api.Errors.StatusException e) when (e.Code == 404)
            {
                // Deleted concurrently: fine.
            }
        }

        return (deleted, page.Revision);
    }

    private void CheckPreconditions(JsonObject current, string key, string name, DeleteOptions options) =>
        Preconditions.Check(Descriptor.Group, Descriptor.Resource, key, name, options.PreconditionUid, options.PreconditionResourceVersion,
            Meta.Str(current, "uid") ?? "", Meta.Str(current, "resourceVersion") ?? "");

    /// <summary>
    /// Decides whether the object stays (finalizers, graceful pod deletion, namespace termination) and returns its
    /// marked state; null with <paramref name="keep"/> when it stays unchanged.
    /// </summary>
    private JsonObject? MarkForDeletion(JsonObject current, DeleteOptions options, out bool keep)
    {
        var obj = (JsonObject)current.DeepClone();
        var meta = Meta.Of(obj);
        var finalizers = Meta.Finalizers(obj);
        var before = string.Join(",", finalizers);
        var orphan = ShouldOrphanDependents(finalizers, options);
        var foreground = ShouldDeleteDependents(finalizers, options);
        var gcFinalizers = finalizers.Where(f => f is not ("orphan" or "foregroundDeletion")).ToList();
        if (orphan)
        {
            gcFinalizers.Add("orphan");
        }

        if (foreground)
        {
            gcFinalizers.Add("foregroundDeletion");
        }

        if (!gcFinalizers.ToHashSet().SetEquals(finalizers))
        {
            finalizers = gcFinalizers;
        }

        var alreadyDeleting = Meta.Str(obj, "deletionTimestamp") is not null;
        var namespaceFinalizers = IsNamespaces && obj["spec"]?["finalizers"] is JsonArray { Count: > 0 };
        var grace = BeforeDelete(obj, options, alreadyDeleting, out var pending);
        if (pending)
        {
            // Upstream: a pending graceful deletion is not changed, not even its finalizers, by a longer or absent period.
            keep = true;
            return null;
        }

        var graceful = grace is not null;
        var crdCleanup = IsCustomResourceDefinitions && !alreadyDeleting;
        if (crdCleanup && !finalizers.Contains(Skiff.ApiServer.CustomResources.CrdConditions.CleanupFinalizer))
        {
            // Upstream's CRD storage: the first delete adds the cleanup finalizer; the establishing loop then deletes
            // every custom resource before it lets the CRD go.
            finalizers.Add(Skiff.ApiServer.CustomResources.CrdConditions.CleanupFinalizer);
        }

        if (finalizers.Count == 0 && !namespaceFinalizers && !graceful)
        {
            keep = false;
            return obj;
        }

        keep = true;
        var changed = string.Join(",", finalizers) != before || graceful;
        Meta.SetFinalizers(obj, finalizers);
        if (!alreadyDeleting && !graceful)
        {
            meta["deletionTimestamp"] = Meta.Timestamp(_clock.GetUtcNow());
            meta["deletionGracePeriodSeconds"] = 0;
            if (Meta.Generation(obj) > 0)
            {
                meta["generation"] = Meta.Generation(obj) + 1;
            }

            changed = true;
        }

        if (crdCleanup)
        {
            Skiff.ApiServer.CustomResources.CrdConditions.Set(obj, "Terminating", "True", "InstanceDeletionPending",
                "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon", _clock.GetUtcNow());
            changed = true;
        }

        if (IsNamespaces && obj["status"]?["phase"]?.GetValue<string>() != "Terminating")
        {
            if (obj["status"] is not JsonObject status)
            {
                status = new JsonObject();
                obj["status"] = status;
            }

            status["phase"] = "Terminating";
            changed = true;
        }

        if (!changed && JsonNode.DeepEquals(Meta.Of(current)["deletionGracePeriodSeconds"], meta["deletionGracePeriodSeconds"]))
        {
            return null;
        }

        meta.Remove("resourceVersion");
        return obj;
    }

    /// <summary>
    /// Upstream's <c>shouldOrphanDependents</c>: never for types outside garbage collection; else the request's
    /// <c>orphanDependents</c>, then its <c>propagationPolicy</c>, then a GC finalizer already on the object, then the
    /// type's <see cref="IResourceStrategy.DefaultGarbageCollectionPolicy"/>.
    /// </summary>
    private bool ShouldOrphanDependents(List<string> finalizers, DeleteOptions options)
    {
        var policy = Strategy.DefaultGarbageCollectionPolicy;
        if (policy == GarbageCollectionPolicy.Unsupported)
        {
            return false;
        }

        if (options.OrphanDependents is { } orphan)
        {
            return orphan;
        }

        switch (options.PropagationPolicy)
        {
            case "Orphan":
                return true;
            case "Background" or "Foreground":
                return false;
        }

        foreach (var f in finalizers)
        {
            switch (f)
            {
                case "orphan":
                    return true;
                case "foregroundDeletion":
                    return false;
            }
        }

        return policy == GarbageCollectionPolicy.OrphanDependents;
    }

    /// <summary>
    /// Upstream's <c>shouldDeleteDependents</c> (foreground): never for types outside garbage collection or when the
    /// request sets <c>orphanDependents</c>; else its <c>propagationPolicy</c>, then a GC finalizer already on the object.
    /// </summary>
    private bool ShouldDeleteDependents(List<string> finalizers, DeleteOptions options)
    {
        if (Strategy.DefaultGarbageCollectionPolicy == GarbageCollectionPolicy.Unsupported || options.OrphanDependents is not null)
        {
            return false;
        }

        switch (options.PropagationPolicy)
        {
            case "Foreground":
                return true;
            case "Background" or "Orphan":
                return false;
        }

        foreach (var f in finalizers)
        {
            switch (f)
            {
                case "foregroundDeletion":
                    return true;
                case "orphan":
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Upstream's <c>rest.BeforeDelete</c> over the strategy's <see cref="IResourceStrategy.DeletionGracePeriod"/>:
    /// returns the grace period recorded on <paramref name="obj"/> (deletionTimestamp and
    /// deletionGracePeriodSeconds set, generation bumped on a first graceful delete), or null when the delete is not
    /// graceful; <paramref name="pending"/> when a graceful deletion is already under way and this delete changes
    /// nothing (no period or a period not shorter than the pending one).
    /// </summary>
    private long? BeforeDelete(JsonObject obj, DeleteOptions options, bool alreadyDeleting, out bool pending)
    {
        pending = false;
        var meta = Meta.Of(obj);
        var requested = options.GracePeriodSeconds is < 0 ? 1 : options.GracePeriodSeconds;
        if (alreadyDeleting)
        {
            var current = meta["deletionGracePeriodSeconds"] is JsonValue v && v.TryGetValue<long>(out var c) ? c : 0;
            if (current < 0)
            {
                current = 1;
            }

            if (current == 0)
            {
                return null;
            }

            if (requested is not { } period || period >= current)
            {
                pending = true;
                return null;
            }

            if (period == 0)
            {
                // Shortened to nothing: delete now (or, with finalizers, leave it to them).
                meta["deletionGracePeriodSeconds"] = 0;
                return null;
            }

            var stamp = Meta.ParseTimestamp(Meta.Str(obj, "deletionTimestamp")) ?? _clock.GetUtcNow();
            meta["deletionTimestamp"] = Meta.Timestamp(stamp.AddSeconds(period - current));
            meta["deletionGracePeriodSeconds"] = period;
            return period;
        }

        if (Strategy.DeletionGracePeriod(obj, requested) is not { } grace || grace <= 0)
        {
            return null;
        }

        meta["deletionTimestamp"] = Meta.Timestamp(_clock.GetUtcNow().AddSeconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
        if (Meta.Generation(obj) > 0)
        {
            meta["generation"] = Meta.Generation(obj) + 1;
        }

        return grace;
    }
}
