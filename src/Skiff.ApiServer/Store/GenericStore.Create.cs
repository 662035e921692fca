using Skiff.Api.Protobuf;
using Skiff.ApiServer.Http;
using Skiff.Api.Errors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

internal sealed partial class GenericStore
{
    /// <summary>Creates <paramref name="obj"/> in <paramref name="ns"/>; returns the stored object (not stored for dry-run).</summary>
    public async Task<JsonObject> CreateAsync(string ns, JsonObject obj, WriteOptions options, CancellationToken ct)
    {
        var created = await CreateStoredAsync(ns, obj, options, ct).ConfigureAwait(false);
        return created.Object ?? await ReadAsync(created.Stored!, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates <paramref name="obj"/> as <see cref="CreateAsync"/> does, without decoding what was stored when the stored
    /// bytes are already the object in the served version (<see cref="CreatedObject.Stored"/>; the caller splices in the
    /// resourceVersion and writes them as the response), else with the decoded object.
    /// </summary>
    public async Task<CreatedObject> CreateStoredAsync(string ns, JsonObject obj, WriteOptions options, CancellationToken ct)
    {
        var mark = WriteProfile.Cpu();
        StampTypeMeta(obj);
        CheckNamespace(obj, ns);
        var meta = Meta.Of(obj);
        var generateName = Meta.Str(obj, "generateName") ?? "";
        var explicitName = Meta.Name(obj);
        if (explicitName.Length == 0 && generateName.Length > 0)
        {
            meta["name"] = GenerateName(generateName);
        }

        foreach (var f in options.ManagedFieldsSet
                     ? new[] { "uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" }
                     : new[] { "uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields" })
        {
            meta.Remove(f);
        }

        meta["uid"] = Uids.New();
        meta["creationTimestamp"] = Now();
        if (UsesGeneration)
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        // Upstream admits the decoded (defaulted) object before the strategy prepares and validates it.
        Admission.AdmissionAttributes? admitted = null;
        JsonNode? recorded = null;
        var recordedBeforeAdmission = false;
        if (options.Admission is { } admission)
        {
            Strategy.ApplyDefaults(obj);
            WriteProfile.EndCpu(WritePhase.TypeMeta, mark);

            // Upstream's field manager records the writer's fields on the decoded (Go-shaped), defaulted object, before
            // mutating admission: what a plugin adds (a pod's default tolerations) belongs to no manager. Recorded on the
            // object itself (no copy); the entries wait outside it until the object is validated, as without admission.
            if (!options.ManagedFieldsSet)
            {
                mark = WriteProfile.Cpu();
                GoJsonZeros.Fill(obj);
                RecordManagedFields(null, obj, options);
                recorded = meta["managedFields"];
                meta.Remove("managedFields");
                recordedBeforeAdmission = true;
                WriteProfile.EndCpu(WritePhase.ManagedFields, mark);
            }

            var wall = WriteProfile.Wall();
            admitted = await admission.MutateAsync(Admission.AdmissionOperation.Create, obj, null, ct).ConfigureAwait(false);
            WriteProfile.EndWall(WritePhase.AdmissionMutate, wall);
        }
        else
        {
            WriteProfile.EndCpu(WritePhase.TypeMeta, mark);
        }

        mark = WriteProfile.Cpu();

        if (Strategy.HasStatusSubresource || options.Subresource.Length == 0)
        {
            Strategy.PrepareForCreate(obj);
        }

        Strategy.ApplyDefaults(obj);

        // Upstream decodes into Go structs, so from here on (validation, managedFields, storage, a dry-run answer) the
        // object has the fields Go always writes. After defaulting, whose rules apply to absent fields.
        GoJsonZeros.Fill(obj);
        WriteProfile.EndCpu(WritePhase.Defaults, mark);
        mark = WriteProfile.Cpu();
        var errors = ValidateMetadata(obj, null);

        if (errors.Count == 0)
        {
            errors.AddRange(Strategy.ValidateCreate(obj));
        }

        if (errors.Count > 0)
        {
            throw Invalid(explicitName.Length > 0 ? explicitName : Meta.Name(obj), errors);
        }

        CheckFilledSizeBeforeManagedFields(obj); // filled above; validation does not change it
        WriteProfile.EndCpu(WritePhase.Validate, mark);
        mark = WriteProfile.Cpu();
        if (recordedBeforeAdmission)
        {
            if (recorded is not null)
            {
                Meta.Of(obj)["managedFields"] = recorded;
            }
        }
        else
        {
            RecordManagedFields(null, obj, options);
        }

        WriteProfile.EndCpu(WritePhase.ManagedFields, mark);
        if (admitted is not null)
        {
            var wall = WriteProfile.Wall();
            await options.Admission!.ValidateAsync(admitted, obj, ct).ConfigureAwait(false);
            WriteProfile.EndWall(WritePhase.AdmissionValidate, wall);
        }

        var hook = await Strategy.BeforeWriteAsync(new StrategyContext(_storage, options.DryRun), obj, null, ct).ConfigureAwait(false);
        var committed = false;
        try
        {
            var created = await CreateWithRetriesAsync(ns, obj, generateName, explicitName, options, ct).ConfigureAwait(false);
            committed = !options.DryRun;
            return created;
        }
        finally
        {
            if (hook is not null)
            {
                await (committed ? hook.CommitAsync(CancellationToken.None) : hook.RevertAsync(CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private async Task<CreatedObject> CreateWithRetriesAsync(string ns, JsonObject obj, string generateName, string explicitName, WriteOptions options, CancellationToken ct)
    {
        var meta = Meta.Of(obj);
        for (var attempt = 1; ; attempt++)
        {
            var name = Meta.Name(obj);
            var key = Key(ns, name);
            if (options.DryRun)
            {
                if (await _storage.GetAsync(key, 0, ct).ConfigureAwait(false) is not null)
                {
                    throw StatusErrors.AlreadyExists(Descriptor.Group, Descriptor.Resource, name);
                }

                return new CreatedObject(obj, null);
            }

            try
            {
                var mark = WriteProfile.Cpu();
                var servesStored = ServesStoredBytes && !meta.ContainsKey("resourceVersion");
                var bytes = servesStored ? EncodeOwned(obj) : await WriteAsync(obj, ct).ConfigureAwait(false);
                WriteProfile.EndCpu(WritePhase.EncodeForStorage, mark);
                var wall = WriteProfile.Wall();
                var kv = await _storage.CreateAsync(key, bytes, ct).ConfigureAwait(false);
                WriteProfile.EndWall(WritePhase.StorageWrite, wall);
                if (servesStored)
                {
                    return new CreatedObject(null, kv);
                }

                mark = WriteProfile.Cpu();
                var created = await ReadAsync(kv, ct).ConfigureAwait(false);
                WriteProfile.EndCpu(WritePhase.DecodeStored, mark);
                return new CreatedObject(created, null);
            }
            catch (KeyExistsException)
            {
                if (explicitName.Length == 0 && generateName.Length > 0 && attempt < MaxGenerateNameAttempts)
                {
                    meta["name"] = GenerateName(generateName);
                    continue;
                }

                throw StatusErrors.AlreadyExists(Descriptor.Group, Descriptor.Resource, name);
            }
            catch (ValueTooLargeException)
            {
                throw ServerErrors.BodyTooLarge(StorageLimits.MaxValueBytes);
            }
        }
    }

    /// <summary>
    /// True when the stored bytes of an object are, byte for byte, its served JSON without <c>metadata.resourceVersion</c>:
    /// no version conversion between storage and the served version.
    /// </summary>
    private bool ServesStoredBytes =>
        Descriptor.Converter is null && _converter is null
        && (!Descriptor.Custom || Descriptor.StorageGroupVersion is null || Descriptor.StorageGroupVersion == Descriptor.GroupVersion);

    /// <summary>
    /// <see cref="Encode"/> for an object the caller owns (no one else reads it meanwhile): the same bytes, without the
    /// copy. The Go zero fields are filled in place (the stored object has them anyway); a
    /// <c>metadata.resourceVersion</c> is taken out for the encoding and put back, last in <c>metadata</c>.
    /// </summary>
    internal static byte[] EncodeOwned(JsonObject obj)
    {
        GoJsonZeros.Fill(obj);
        if (obj["metadata"] is not JsonObject meta || !meta.TryGetPropertyValue("resourceVersion", out var rv))
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, StorageJson);
        }

        meta.Remove("resourceVersion");
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, StorageJson);
        }
        finally
        {
            meta["resourceVersion"] = rv;
        }
    }

    /// <summary>Decodes the stored bytes of <see cref="CreateStoredAsync"/>'s result in the served version.</summary>
    public ValueTask<JsonObject> ReadStoredAsync(KeyValue stored, CancellationToken ct) => ReadAsync(stored, ct);
}
