using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Patch;
using Skiff.Api.Serialization;

namespace Skiff.Api.Apply;

/// <summary>
/// Server-side apply and field ownership (structured-merge-diff semantics, simplified): <c>managedFields</c> in
/// FieldsV1 form, operations <c>Apply</c> and <c>Update</c>. <see cref="Apply"/> merges an applied configuration into
/// the live object (list maps by key, sets by value, atomic lists replaced), reports conflicts with other managers as
/// upstream's 409 unless forced, and removes fields this manager applied before and no longer applies when no one
/// else owns them. <see cref="UpdateManagedFields"/> records ownership for ordinary writes (create, update, patch).
/// apiVersion, kind and server-set metadata (name, namespace, uid, resourceVersion, generation,
/// creationTimestamp, selfLink, managedFields) are never owned. Applies by the manager <c>kubectl</c> upgrade objects
/// last written by client-side apply (<see cref="LastApplied"/>).
/// </summary>
public static class ServerSideApply
{
    private static readonly string[][] Stripped =
    {
        new[] { "f:apiVersion" },
        new[] { "f:kind" },
        new[] { "f:metadata", "f:name" },
        new[] { "f:metadata", "f:namespace" },
        new[] { "f:metadata", "f:creationTimestamp" },
        new[] { "f:metadata", "f:selfLink" },
        new[] { "f:metadata", "f:uid" },
        new[] { "f:metadata", "f:generation" },
        new[] { "f:metadata", "f:managedFields" },
        new[] { "f:metadata", "f:resourceVersion" },
        new[] { "f:metadata", "f:deletionTimestamp" },
        new[] { "f:metadata", "f:deletionGracePeriodSeconds" },
    };

    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="manager"/>. <paramref name="live"/> null means create.
    /// <paramref name="ignoredFields"/> are top-level fields this endpoint does not own (e.g. <c>status</c> on the
    /// main resource, everything but <c>status</c> on the status subresource is up to the caller).
    /// Throws a 409 <see cref="StatusException"/> (<c>Apply failed with N conflict(s): …</c>) on conflicts unless <paramref name="force"/>,
    /// and upstream's 400 <c>metadata.managedFields must be nil</c> when the configuration carries managedFields.
    /// </summary>
    public static ApplyResult Apply(
        JsonObject? live,
        JsonObject applied,
        string manager,
        bool force,
        IPatchSchema? schema,
        DateTimeOffset now,
        string? subresource = null,
        IReadOnlyCollection<string>? ignoredFields = null)
    {
        if ((applied["metadata"] as JsonObject)?["managedFields"] is not null)
        {
            throw StatusErrors.BadRequest("metadata.managedFields must be nil");
        }

        var apiVersion = Internal.JsonUtil.GetString(applied["apiVersion"]) ?? Internal.JsonUtil.GetString(live?["apiVersion"]) ?? "";
        var config = (JsonObject)applied.DeepClone();
        (config["metadata"] as JsonObject)?.Remove("managedFields");
        foreach (var f in ignoredFields ?? Array.Empty<string>())
        {
            config.Remove(f);
        }

        var entries = ManagedEntry.Decode(live);
        var baseObj = live is null ? new JsonObject() : (JsonObject)live.DeepClone();
        if (live is not null && entries.Count == 0 && live.Count > 0)
        {
            entries.Add(new ManagedEntry
            {
                Manager = "before-first-apply",
                Operation = "Update",
                ApiVersion = apiVersion,
                Set = Strip(ObjectFields.ToFieldSet(WithoutManagedFields(live), schema)),
            });
        }

        var appliedSet = Strip(ObjectFields.ToFieldSet(config, schema));
        var merged = (JsonObject)ObjectFields.Merge(WithoutManagedFields(baseObj), config, schema)!;

        var changed = new FieldSet();
        var removedByMerge = new FieldSet();
        ObjectFields.Compare(WithoutManagedFields(baseObj), merged, schema, changed, removedByMerge);
        changed = Strip(changed);

        var sub = subresource ?? "";
        var self = entries.FirstOrDefault(e => e.SameIdentity(manager, "Apply", apiVersion, sub));
        var conflicts = new List<(ManagedEntry Entry, List<string> Path)>();
        foreach (var e in entries.Where(e => !ReferenceEquals(e, self)))
        {
            foreach (var p in e.Set.Intersection(changed).LeafPaths())
            {
                conflicts.Add((e, p));
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            // The client-side → server-side apply upgrade: conflicts on what last-applied still describes are forced.
            var allowed = manager == LastApplied.UpgradingManager && live is not null ? LastApplied.AllowedConflicts(live, apiVersion, schema) : null;
            var remaining = allowed is null ? conflicts : conflicts.Where(c => !allowed.Has(c.Path)).ToList();
            if (remaining.Count > 0)
            {
                throw ConflictError(remaining);
            }
        }

        foreach (var (e, p) in conflicts)
        {
            e.Set.RemoveSubtree(p);
        }

        var previous = self?.Set ?? new FieldSet();
        var toRemove = previous.Difference(appliedSet);
        foreach (var p in toRemove.MemberPaths().ToList())
        {
            if (!entries.Any(e => !ReferenceEquals(e, self) && e.Set.HasAtOrUnder(p)) && !appliedSet.HasAtOrUnder(p))
            {
                ObjectFields.RemovePath(merged, p, schema);
            }
        }

        if (self is null)
        {
            self = new ManagedEntry { Manager = manager, Operation = "Apply", Subresource = sub };
            entries.Add(self);
        }

        self.Set = appliedSet;
        self.ApiVersion = apiVersion;
        self.Time = ManagedEntry.FormatTime(now);
        ManagedEntry.Encode(merged, entries);
        if (manager == LastApplied.UpgradingManager)
        {
            LastApplied.Update(merged, applied);
        }

        return new ApplyResult(merged, live is null);
    }

    /// <summary>
    /// Records ownership for a non-apply write: <paramref name="manager"/> (operation <paramref name="operation"/>,
    /// normally "Update") owns what it changed, other managers lose those fields, removed fields leave every set.
    /// <paramref name="oldObj"/> null means create. Returns <paramref name="newObj"/> (modified in place) for chaining.
    /// If the new object carries non-empty managedFields they are used as the starting point (upstream lets clients
    /// set them); otherwise the old object's are. Both objects' managedFields are taken out for the comparison and put
    /// back where they were (no copy of either object), so neither may be read by another thread during the call.
    /// </summary>
    public static JsonObject UpdateManagedFields(
        JsonObject? oldObj,
        JsonObject newObj,
        string manager,
        DateTimeOffset now,
        IPatchSchema? schema,
        string operation = "Update",
        string? apiVersion = null,
        string? subresource = null)
    {
        apiVersion ??= Internal.JsonUtil.GetString(newObj["apiVersion"]) ?? "";
        var entries = ManagedEntry.Decode(newObj);
        if (entries.Count == 0)
        {
            entries = ManagedEntry.Decode(oldObj);
        }

        var changed = new FieldSet();
        var removed = new FieldSet();
        var oldManaged = DetachedProperty.Take(oldObj?["metadata"] as JsonObject, "managedFields");
        var newManaged = DetachedProperty.Take(newObj["metadata"] as JsonObject, "managedFields");
        try
        {
            ObjectFields.Compare(oldObj, newObj, schema, changed, removed);
        }
        finally
        {
            oldManaged.Restore();
            newManaged.Restore();
        }

        changed = Strip(changed);
        removed = Strip(removed);

        var sub = subresource ?? "";
        var self = entries.FirstOrDefault(e => e.SameIdentity(manager, operation, apiVersion, sub));
        var removedPaths = removed.MemberPaths().ToList();
        foreach (var e in entries)
        {
            foreach (var p in removedPaths)
            {
                e.Set.RemoveSubtree(p);
            }

            if (!ReferenceEquals(e, self))
            {
                e.Set = e.Set.Difference(changed);
            }
        }

        if (!changed.IsEmpty)
        {
            if (self is null)
            {
                self = new ManagedEntry { Manager = manager, Operation = operation, ApiVersion = apiVersion, Subresource = sub };
                entries.Add(self);
            }

            self.Set = self.Set.Union(changed);
            self.Time = ManagedEntry.FormatTime(now);
        }

        ManagedEntry.Encode(newObj, entries);
        return newObj;
    }

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        if ((obj["metadata"] as JsonObject)?.ContainsKey("managedFields") != true)
        {
            return obj;
        }

        var copy = (JsonObject)obj.DeepClone();
        ((JsonObject)copy["metadata"]!).Remove("managedFields");
        return copy;
    }

    private static FieldSet Strip(FieldSet set)
    {
        foreach (var p in Stripped)
        {
            set.RemoveSubtree(p);
        }

        return set;
    }

    private static StatusException ConflictError(List<(ManagedEntry Entry, List<string> Path)> conflicts)
    {
        var causes = conflicts
            .Select(c => new StatusCause("FieldManagerConflict", "conflict with " + c.Entry.Printed(), FieldSet.PathString(c.Path)))
            .ToList();
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Entry.Printed()}: {FieldSet.PathString(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => c.Entry.Printed()).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => "- " + FieldSet.PathString(c.Path)));
            }

            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }

        return StatusErrors.ApplyConflict(causes, message);
    }
}
