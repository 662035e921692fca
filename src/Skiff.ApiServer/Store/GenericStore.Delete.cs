using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Interim;
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

            var current = Decode(kv);
            CheckPreconditions(current, name, options);
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

                var swap = await _storage.CompareAndSwapAsync(key, kv.ModRevision, Encode(marked), ct).ConfigureAwait(false);
                if (!swap.Succeeded)
                {
                    continue;
                }

                return new DeleteOutcome(Decode(swap.Current!), false, true);
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

    private void CheckPreconditions(JsonObject current, string name, DeleteOptions options)
    {
        var uid = Meta.Str(current, "uid") ?? "";
        if (options.PreconditionUid is { Length: > 0 } pu && pu != uid)
        {
            throw Conflict(name, $"Precondition failed: UID in precondition: {pu}, UID in object meta: {uid}");
        }

        var rv = Meta.Str(current, "resourceVersion") ?? "";
        if (options.PreconditionResourceVersion is { Length: > 0 } prv && prv != rv)
        {
            throw Conflict(name, $"Precondition failed: ResourceVersion in precondition: {prv}, ResourceVersion in object meta: {rv}");
        }
    }

    /// <summary>
    /// Decides whether the object stays (finalizers, graceful pod deletion, namespace termination) and returns its
    /// marked state; null with <paramref name="keep"/> when it stays unchanged.
    /// </summary>
    private JsonObject? MarkForDeletion(JsonObject current, DeleteOptions options, out bool keep)
    {
        var obj = (JsonObject)current.DeepClone();
        var meta = Meta.Of(obj);
        var finalizers = Meta.Finalizers(obj);
        var policy = options.PropagationPolicy;
        if (policy is null && options.OrphanDependents is { } orphan)
        {
            policy = orphan ? "Orphan" : "Background";
        }

        var before = string.Join(",", finalizers);
        switch (policy)
        {
            case "Orphan":
                finalizers.Remove("foregroundDeletion");
                if (!finalizers.Contains("orphan")) finalizers.Add("orphan");
                break;
            case "Foreground":
                finalizers.Remove("orphan");
                if (!finalizers.Contains("foregroundDeletion")) finalizers.Add("foregroundDeletion");
                break;
            case "Background":
                finalizers.Remove("orphan");
                finalizers.Remove("foregroundDeletion");
                break;
        }

        var alreadyDeleting = Meta.Str(obj, "deletionTimestamp") is not null;
        var namespaceFinalizers = IsNamespaces && obj["spec"]?["finalizers"] is JsonArray { Count: > 0 };
        var graceful = IsGracefulPod(obj, options, out var grace);

        if (finalizers.Count == 0 && !namespaceFinalizers && !graceful)
        {
            keep = false;
            return obj;
        }

        keep = true;
        var changed = string.Join(",", finalizers) != before;
        Meta.SetFinalizers(obj, finalizers);
        if (!alreadyDeleting)
        {
            meta["deletionTimestamp"] = Meta.Timestamp(_clock.GetUtcNow().AddSeconds(graceful ? grace : 0));
            meta["deletionGracePeriodSeconds"] = graceful ? grace : 0;
            if (Meta.Generation(obj) > 0)
            {
                meta["generation"] = Meta.Generation(obj) + 1;
            }

            changed = true;
        }
        else if (graceful && meta["deletionGracePeriodSeconds"]?.GetValue<long>() is { } oldGrace && grace < oldGrace)
        {
            // A shorter grace period may shorten a pending graceful deletion.
            meta["deletionTimestamp"] = Meta.Timestamp(_clock.GetUtcNow().AddSeconds(grace));
            meta["deletionGracePeriodSeconds"] = grace;
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

        if (!changed)
        {
            return null;
        }

        meta.Remove("resourceVersion");
        return obj;
    }

    private bool IsGracefulPod(JsonObject obj, DeleteOptions options, out long grace)
    {
        grace = 0;
        if (Descriptor.Group.Length != 0 || Descriptor.Resource != "pods")
        {
            return false;
        }

        // Upstream pod strategy: unscheduled or finished pods go at once; otherwise the kubelet finishes the delete.
        var phase = obj["status"]?["phase"]?.GetValue<string>();
        if (obj["spec"]?["nodeName"] is not JsonValue || phase is "Succeeded" or "Failed")
        {
            return false;
        }

        grace = options.GracePeriodSeconds
            ?? (obj["spec"]?["terminationGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var t) ? t : 30);
        return grace > 0;
    }
}
