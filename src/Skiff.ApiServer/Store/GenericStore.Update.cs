using Skiff.Api.Protobuf;
using Skiff.ApiServer.Http;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

internal sealed partial class GenericStore
{
    /// <summary>
    /// Updates one object (PUT and PATCH): <paramref name="produce"/> gets a copy of the current object and returns
    /// the desired one (it may run several times when writers race, so it must be pure). Returns the result and
    /// whether it was created (PUT on a missing object of a type that allows create-on-update).
    /// </summary>
    public async Task<(JsonObject Object, bool Created)> UpdateAsync(
        string ns, string name, Func<JsonObject, JsonObject> produce, Func<JsonObject>? createBody, WriteOptions options, CancellationToken ct)
    {
        var key = Key(ns, name);
        var existing = await _storage.GetAsync(key, 0, ct).ConfigureAwait(false);
        if (existing is null)
        {
            if (createBody is not null && Strategy.AllowCreateOnUpdate && options.Subresource.Length == 0)
            {
                return (await CreateAsync(ns, createBody(), options, ct).ConfigureAwait(false), true);
            }

            throw NotFound(name);
        }

        if (options.DryRun)
        {
            var old = await ReadAsync(existing, ct).ConfigureAwait(false);
            var preview = await TransformAsync(old, produce, ns, name, options, ct).ConfigureAwait(false);
            if (preview is not null && await Strategy.BeforeWriteAsync(new StrategyContext(_storage, true), preview, old, ct).ConfigureAwait(false) is { } dryHook)
            {
                await dryHook.RevertAsync(ct).ConfigureAwait(false);
            }

            // Upstream's dry-run update answers the would-be object at the current resourceVersion.
            if (preview is not null)
            {
                Meta.Of(preview)["resourceVersion"] = Meta.Str(old, "resourceVersion");
            }

            return (preview ?? old, false);
        }

        KeyValue written;
        var hooks = new List<WriteHook>();
        var committed = false;
        try
        {
            written = await _storage.GuaranteedUpdateAsync(
                key,
                async (current, token) =>
                {
                    if (current is null)
                    {
                        throw NotFound(name);
                    }

                    var old = await ReadAsync(current, token).ConfigureAwait(false);
                    var next = await TransformAsync(old, produce, ns, name, options, token).ConfigureAwait(false);
                    if (next is null)
                    {
                        return null;
                    }

                    if (await Strategy.BeforeWriteAsync(new StrategyContext(_storage), next, old, token).ConfigureAwait(false) is { } hook)
                    {
                        hooks.Add(hook);
                    }

                    // next is this attempt's own object (built from a copy) and is discarded after the write: the
                    // result is decoded from what was stored.
                    return await WriteOwnedAsync(next, token).ConfigureAwait(false);
                },
                allowCreate: false,
                ct).ConfigureAwait(false);
            committed = true;
        }
        catch (KeyNotFoundStorageException)
        {
            throw NotFound(name);
        }
        catch (ValueTooLargeException)
        {
            throw ServerErrors.BodyTooLarge(StorageLimits.MaxValueBytes);
        }
        finally
        {
            for (var i = 0; i < hooks.Count; i++)
            {
                await (committed && i == hooks.Count - 1 ? hooks[i].CommitAsync(CancellationToken.None) : hooks[i].RevertAsync(CancellationToken.None)).ConfigureAwait(false);
            }
        }

        var result = await ReadAsync(written, ct).ConfigureAwait(false);
        if (ShouldDeleteNow(result))
        {
            var deleted = await _storage.CompareAndDeleteAsync(key, written.ModRevision, ct).ConfigureAwait(false);
            if (deleted.Succeeded)
            {
                Meta.Of(result)["resourceVersion"] = deleted.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Strategy.AfterDeleteAsync(new StrategyContext(_storage), result, ct).ConfigureAwait(false);
            }
        }

        return (result, false);
    }

    /// <summary>Computes the new state from <paramref name="old"/>; null when nothing changes.</summary>
    private async Task<JsonObject?> TransformAsync(JsonObject old, Func<JsonObject, JsonObject> produce, string ns, string name, WriteOptions options, CancellationToken ct)
    {
        var oldRv = Meta.Str(old, "resourceVersion") ?? "";
        var obj = produce((JsonObject)old.DeepClone());
        StampTypeMeta(obj);
        CheckNamespace(obj, ns);
        var meta = Meta.Of(obj);
        var bodyName = Meta.Name(obj);
        if (bodyName.Length == 0)
        {
            meta["name"] = name;
        }
        else if (bodyName != name)
        {
            throw StatusErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        var rv = Meta.Str(obj, "resourceVersion") ?? "";
        if (rv.Length > 0 && rv != oldRv)
        {
            throw Conflict(name, StatusErrors.OptimisticLockMessage);
        }

        if (rv.Length == 0 && !Strategy.AllowUnconditionalUpdate)
        {
            throw Invalid(name, [FieldError.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
        }

        Preconditions.Check(Descriptor.Group, Descriptor.Resource, Key(ns, name), name, Meta.Str(obj, "uid"), null, Meta.Str(old, "uid") ?? "", "");

        var oldMeta = Meta.Of(old);

        // Upstream's decodeLiveOrNew: a write to the main resource that sets non-empty managedFields replaces them
        // (kubectl's own client-side → server-side apply migration is such a JSON patch); otherwise, and always on a
        // subresource, they stay the live object's.
        var requestSetsManagedFields = options.Subresource.Length == 0 && meta["managedFields"] is JsonArray { Count: > 0 };
        foreach (var f in options.ManagedFieldsSet || requestSetsManagedFields
                     ? new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" }
                     : new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "managedFields" })
        {
            if (oldMeta[f] is { } v)
            {
                meta[f] = v.DeepClone();
            }
            else
            {
                meta.Remove(f);
            }
        }

        meta.Remove("resourceVersion");
        meta.Remove("selfLink");
        Admission.AdmissionAttributes? admitted = null;
        if (options.Admission is { } admission)
        {
            Strategy.ApplyDefaults(obj);
            admitted = await admission.MutateAsync(Admission.AdmissionOperation.Update, obj, old, ct).ConfigureAwait(false);
        }

        switch (options.Subresource)
        {
            case "status":
                Strategy.PrepareForStatusUpdate(obj, old);
                break;
            case "approval" or "ephemeralcontainers":
                Strategy.PrepareForSubresourceUpdate(options.Subresource, obj, old);
                break;
            case "finalize" when IsNamespaces:
            {
                var finalizers = obj["spec"]?["finalizers"]?.DeepClone();
                obj = (JsonObject)old.DeepClone();
                if (obj["spec"] is not JsonObject spec)
                {
                    spec = new JsonObject();
                    obj["spec"] = spec;
                }

                spec["finalizers"] = finalizers ?? new JsonArray();
                Meta.Of(obj).Remove("resourceVersion");
                break;
            }

            default:
                Strategy.PrepareForUpdate(obj, old);
                break;
        }

        Strategy.ApplyDefaults(obj);

        // The stored old object carries the fields Go always writes; so must the new one before validation and the
        // comparisons below (a client that leaves a zero out has changed nothing). After defaulting, as on create.
        GoJsonZeros.Fill(obj);
        var errors = ValidateMetadata(obj, old);
        if (Meta.Str(old, "deletionTimestamp") is not null)
        {
            var oldFinalizers = Meta.Finalizers(old).ToHashSet();
            if (Meta.Finalizers(obj).Any(f => !oldFinalizers.Contains(f)))
            {
                errors.Add(FieldError.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"));
            }
        }

        if (errors.Count == 0)
        {
            errors.AddRange(options.Subresource switch
            {
                "status" => Strategy.ValidateStatusUpdate(obj, old),
                "approval" or "ephemeralcontainers" => Strategy.ValidateSubresourceUpdate(options.Subresource, obj, old),
                _ => Strategy.ValidateUpdate(obj, old),
            });
        }

        if (errors.Count > 0)
        {
            throw Invalid(name, errors);
        }

        if (admitted is not null)
        {
            await options.Admission!.ValidateAsync(admitted, obj, ct).ConfigureAwait(false);
        }

        if (UsesGeneration && options.Subresource != "status" && SpecChanged(old, obj))
        {
            meta["generation"] = Math.Max(Meta.Generation(old), 0) + 1;
        }

        // A write that changes nothing but managedFields timestamps is a no-op (upstream ignores those too).
        if (VolatileMeta.EqualIgnoring(old, obj))
        {
            return null;
        }

        // obj has Go's zero fields (filled above) and no resourceVersion: counted as it is, not copied and encoded.
        CheckFilledSizeBeforeManagedFields(obj);
        RecordManagedFields(old, obj, options);
        return obj;
    }

    /// <summary>
    /// 413 as the storage would answer it, before managed fields are computed: they only add to the object, and
    /// computing them for an object of hundreds of thousands of fields takes seconds (a 200,000-label body).
    /// </summary>
    private static void CheckSizeBeforeManagedFields(JsonObject obj)
    {
        if (Encode(obj).Length > StorageLimits.MaxValueBytes)
        {
            throw ServerErrors.BodyTooLarge(StorageLimits.MaxValueBytes);
        }
    }

    /// <summary>
    /// <see cref="CheckSizeBeforeManagedFields"/> for an object that already has Go's zero fields (<see cref="GoJsonZeros"/>)
    /// and no resourceVersion, as a create's after defaulting: what <see cref="Encode"/> would write is the object
    /// as it is, so its bytes are counted without copying it or building them.
    /// </summary>
    private static void CheckFilledSizeBeforeManagedFields(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta && meta.ContainsKey("resourceVersion"))
        {
            CheckSizeBeforeManagedFields(obj);
        }
        else if (EncodedSize.Of(obj, StorageJson) > StorageLimits.MaxValueBytes)
        {
            throw ServerErrors.BodyTooLarge(StorageLimits.MaxValueBytes);
        }
    }

    /// <summary>
    /// Encodes an object this request owns and discards after the write: without a version conversion, as
    /// <see cref="EncodeOwned"/> (Go's zero fields filled in place, no copy); else as <see cref="WriteAsync"/>.
    /// </summary>
    private ValueTask<byte[]> WriteOwnedAsync(JsonObject obj, CancellationToken ct)
    {
        if (!ServesStoredBytes)
        {
            return WriteAsync(obj, ct);
        }

        Meta.Of(obj).Remove("resourceVersion");
        return ValueTask.FromResult(EncodeOwned(obj));
    }

    /// <summary>Raised for callers that must surface a Conflict built by the store.</summary>
    public StatusException ConflictError(string name, string why) => Conflict(name, why);
}
