using Skiff.Api.Protobuf;
using Skiff.ApiServer.Http;
using Skiff.Api.Errors;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

internal sealed partial class GenericStore
{
    /// <summary>Creates <paramref name="obj"/> in <paramref name="ns"/>; returns the stored object (not stored for dry-run).</summary>
    public async Task<JsonObject> CreateAsync(string ns, JsonObject obj, WriteOptions options, CancellationToken ct)
    {
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

        meta["uid"] = Guid.NewGuid().ToString();
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
        if (options.Admission is { } admission)
        {
            Strategy.ApplyDefaults(obj);
            admitted = await admission.MutateAsync(Admission.AdmissionOperation.Create, obj, null, ct).ConfigureAwait(false);
        }

        if (Strategy.HasStatusSubresource || options.Subresource.Length == 0)
        {
            Strategy.PrepareForCreate(obj);
        }

        Strategy.ApplyDefaults(obj);

        // Upstream decodes into Go structs, so from here on (validation, managedFields, storage, a dry-run answer) the
        // object has the fields Go always writes. After defaulting, whose rules apply to absent fields.
        GoJsonZeros.Fill(obj);
        var errors = ValidateMetadata(obj, null);

        if (errors.Count == 0)
        {
            errors.AddRange(Strategy.ValidateCreate(obj));
        }

        if (errors.Count > 0)
        {
            throw Invalid(explicitName.Length > 0 ? explicitName : Meta.Name(obj), errors);
        }

        CheckSizeBeforeManagedFields(obj);
        RecordManagedFields(null, obj, options);
        if (admitted is not null)
        {
            await options.Admission!.ValidateAsync(admitted, obj, ct).ConfigureAwait(false);
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

    private async Task<JsonObject> CreateWithRetriesAsync(string ns, JsonObject obj, string generateName, string explicitName, WriteOptions options, CancellationToken ct)
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

                return obj;
            }

            try
            {
                var kv = await _storage.CreateAsync(key, await WriteAsync(obj, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                return await ReadAsync(kv, ct).ConfigureAwait(false);
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
}
