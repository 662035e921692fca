using Skiff.Api.Protobuf;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Apply;
using Skiff.Api.Errors;
using Skiff.Api.Patch;
using Skiff.Api.Serialization;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry;

using Skiff.Storage;

namespace Skiff.ApiServer.Store;

/// <summary>
/// The generic registry store (upstream <c>pkg/registry/generic/registry/store.go</c>) for one resource: CRUD,
/// list and watch over <see cref="IStorage"/>, driven by the descriptor and its strategy. Objects are JSON; the
/// stored bytes carry no resourceVersion (it is the key's ModRevision, injected on read).
/// </summary>
internal sealed partial class GenericStore
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private const int MaxGenerateNameAttempts = 8;

    private static readonly HashSet<string> ReturnsDeletedObject =
        ["pods", "podtemplates", "persistentvolumes", "persistentvolumeclaims", "namespaces", "services"];

    private readonly IStorage _storage;
    private readonly TimeProvider _clock;
    private readonly Func<IPatchSchema?> _schema;
    private readonly IObjectConverter? _converter;

    public GenericStore(ResourceDescriptor descriptor, IStorage storage, TimeProvider clock, IPatchSchema? schema = null)
        : this(descriptor, storage, clock, () => schema)
    {
    }

    /// <summary>A store whose patch schema is looked up on each use (it changes when CRDs come and go).</summary>
    /// <remarks><paramref name="converter"/> converts between versions (a custom resource's conversion webhook); null keeps conversion None.</remarks>
    public GenericStore(ResourceDescriptor descriptor, IStorage storage, TimeProvider clock, Func<IPatchSchema?> schema, IObjectConverter? converter = null)
    {
        Descriptor = descriptor;
        _storage = storage;
        _clock = clock;
        _schema = schema;
        _converter = converter;
    }

    public ResourceDescriptor Descriptor { get; }

    /// <summary>The kind's patch schema (merge keys, list types) for patches and managedFields; null when unknown.</summary>
    public IPatchSchema? Schema => _schema();

    /// <summary>The current time of the store's clock.</summary>
    public DateTimeOffset Clock => _clock.GetUtcNow();

    /// <summary>Records an Update by the writer in managedFields (unless the apply engine already set them).</summary>
    private void RecordManagedFields(JsonObject? old, JsonObject obj, WriteOptions options)
    {
        if (options.ManagedFieldsSet)
        {
            return;
        }

        var sub = options.Subresource == "finalize" ? "" : options.Subresource;

        // Upstream's reset fields: a main-resource write of a type with a status subresource never owns status
        // (the strategy resets it), so status is compared as unchanged.
        if (Strategy.HasStatusSubresource && sub.Length == 0 && old is null && obj.IndexOf("status") is >= 0 and var at)
        {
            // A create: take status out for the computation and put it back where it was, rather than copying the object.
            var status = obj["status"];
            obj.RemoveAt(at);
            try
            {
                ServerSideApply.UpdateManagedFields(null, obj, options.FieldManager, _clock.GetUtcNow(), Schema,
                    apiVersion: Descriptor.GroupVersion, subresource: null);
            }
            finally
            {
                obj.Insert(at, "status", status);
            }

            RemoveEmptyManagedFields(obj);
            return;
        }

        if (Strategy.HasStatusSubresource && sub.Length == 0 && old is not null && (old["status"] is not null || obj["status"] is not null))
        {
            // An update: status compared as unchanged is status absent from both; take it out of both objects (this
            // request's own) and put it back where it was, rather than copying the new object and the old status.
            var oldStatus = DetachedProperty.Take(old, "status");
            var newStatus = DetachedProperty.Take(obj, "status");
            try
            {
                ServerSideApply.UpdateManagedFields(old, obj, options.FieldManager, _clock.GetUtcNow(), Schema,
                    apiVersion: Descriptor.GroupVersion, subresource: null);
            }
            finally
            {
                oldStatus.Restore();
                newStatus.Restore();
            }

            RemoveEmptyManagedFields(obj);
            return;
        }

        ServerSideApply.UpdateManagedFields(old, obj, options.FieldManager, _clock.GetUtcNow(), Schema,
            apiVersion: Descriptor.GroupVersion, subresource: sub.Length == 0 ? null : sub);
        RemoveEmptyManagedFields(obj);
    }

    /// <summary>Upstream's ObjectMeta.ManagedFields is omitempty: an empty (or absent) list is never written, not even as null.</summary>
    private static void RemoveEmptyManagedFields(JsonObject obj)
    {
        if (Meta.Of(obj)["managedFields"] is null or JsonArray { Count: 0 })
        {
            Meta.Of(obj).Remove("managedFields");
        }
    }

    private IResourceStrategy Strategy => Descriptor.Strategy;

    private bool IsNamespaces => Descriptor.Group.Length == 0 && Descriptor.Resource == "namespaces";

    private bool IsCustomResourceDefinitions => Descriptor.Group == "apiextensions.k8s.io" && Descriptor.Resource == "customresourcedefinitions";

    /// <summary>The storage key of one object.</summary>
    public string Key(string ns, string name) => Descriptor.Namespaced ? $"{Descriptor.StoragePrefix}{ns}/{name}" : Descriptor.StoragePrefix + name;

    /// <summary>The prefix listing a namespace (or every object when <paramref name="ns"/> is empty).</summary>
    public string Prefix(string ns) => Descriptor.Namespaced && ns.Length > 0 ? $"{Descriptor.StoragePrefix}{ns}/" : Descriptor.StoragePrefix;

    private string Now() => Meta.Timestamp(_clock.GetUtcNow());

    /// <summary>Decodes stored bytes and stamps <c>metadata.resourceVersion</c>.</summary>
    public static JsonObject Decode(KeyValue kv)
    {
        var obj = JsonNode.Parse(kv.Value.Span) as JsonObject ?? throw StatusErrors.InternalError("stored object is not a JSON object");
        Meta.Of(obj)["resourceVersion"] = kv.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return obj;
    }

    /// <summary>
    /// Decodes stored bytes for this store's descriptor without calling out: a custom resource served in a version
    /// other than its storage version gets its <c>apiVersion</c> rewritten (conversion strategy <c>None</c>).
    /// </summary>
    private JsonObject Read(KeyValue kv)
    {
        var obj = Decode(kv);
        if (_converter is null && Descriptor.Converter is null && Descriptor.Custom && Descriptor.StorageGroupVersion is not null && obj["apiVersion"] is not null)
        {
            obj["apiVersion"] = Descriptor.GroupVersion;
        }

        return obj;
    }

    /// <summary>
    /// Decodes stored bytes in the served version: through the descriptor's <see cref="ResourceDescriptor.Converter"/>
    /// (built-in versions with their own shape), else through the store's <see cref="IObjectConverter"/> (a custom
    /// resource's conversion webhook), else <see cref="Read"/>'s conversion None.
    /// </summary>
    private async ValueTask<JsonObject> ReadAsync(KeyValue kv, CancellationToken ct)
    {
        var obj = Read(kv);
        if (Descriptor.Converter is { } versions)
        {
            return await versions.ToServedAsync(obj, ct).ConfigureAwait(false);
        }

        if (_converter is null || obj["apiVersion"] is null || obj["apiVersion"]!.GetValue<string>() == Descriptor.GroupVersion)
        {
            return obj;
        }

        return (await _converter.ConvertAsync([obj], Descriptor.GroupVersion, false, ct).ConfigureAwait(false))[0];
    }

    /// <summary>Decodes a batch of stored objects in the served version (one webhook call for the batch).</summary>
    private async ValueTask<IReadOnlyList<JsonObject>> ReadManyAsync(IReadOnlyList<KeyValue> kvs, CancellationToken ct)
    {
        if (Descriptor.Converter is not null)
        {
            var converted = new List<JsonObject>(kvs.Count);
            foreach (var kv in kvs)
            {
                converted.Add(await ReadAsync(kv, ct).ConfigureAwait(false));
            }

            return converted;
        }

        var objects = kvs.Select(Read).ToList();
        return _converter is null || objects.Count == 0
            ? objects
            : await _converter.ConvertAsync(objects, Descriptor.GroupVersion, false, ct).ConfigureAwait(false);
    }

    /// <summary>Encodes for storage in the storage version (<see cref="ReadAsync"/>'s inverse).</summary>
    private async ValueTask<byte[]> WriteAsync(JsonObject obj, CancellationToken ct)
    {
        if (Descriptor.Converter is { } versions)
        {
            return Encode(await versions.ToStorageAsync(obj, ct).ConfigureAwait(false));
        }

        if (_converter is null || Descriptor.StorageGroupVersion is not { } storageVersion || obj["apiVersion"] is null)
        {
            return Write(obj);
        }

        return Encode((await _converter.ConvertAsync([obj], storageVersion, true, ct).ConfigureAwait(false))[0]);
    }

    /// <summary>Encodes for storage; a custom resource is stored with its storage version's <c>apiVersion</c>.</summary>
    private byte[] Write(JsonObject obj)
    {
        if (Descriptor.Custom && Descriptor.StorageGroupVersion is { } storageVersion && obj["apiVersion"] is not null)
        {
            var copy = (JsonObject)obj.DeepClone();
            copy["apiVersion"] = storageVersion;
            return Encode(copy);
        }

        return Encode(obj);
    }

    /// <summary>Stored JSON escapes only what JSON requires (no <c>\u0022</c> in FieldsV1 keys such as <c>k:{"name":"c"}</c>).</summary>
    private static readonly JsonSerializerOptions StorageJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Serializes for storage: without <c>metadata.resourceVersion</c>, and with the fields Go always writes for a
    /// built-in kind (<see cref="GoJsonZeros"/>; upstream stores what Go serialised, so every stored object, however
    /// it was written, carries them).
    /// </summary>
    public static byte[] Encode(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("resourceVersion");
        GoJsonZeros.Fill(copy);
        return JsonSerializer.SerializeToUtf8Bytes(copy, StorageJson);
    }

    private StatusException NotFound(string name) => StatusErrors.NotFound(Descriptor.Group, Descriptor.Resource, name);

    private StatusException Conflict(string name, string why) => StatusErrors.Conflict(Descriptor.Group, Descriptor.Resource, name, why);

    private StatusException Invalid(string name, IReadOnlyList<FieldError> errors) => StatusErrors.Invalid(Descriptor.Group, Descriptor.Kind, name, errors);

    /// <summary>Sets apiVersion and kind, checking any the client sent.</summary>
    private void StampTypeMeta(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : "";
        var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : "";
        if (apiVersion.Length > 0 && apiVersion != Descriptor.GroupVersion)
        {
            throw StatusErrors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({Descriptor.GroupVersion})");
        }

        if (kind.Length > 0 && kind != Descriptor.Kind)
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({Descriptor.Kind})");
        }

        // Keep apiVersion and kind first, as upstream serializes them (most clients already send them so).
        if (obj.Count >= 2 && obj.GetAt(0).Key == "apiVersion" && obj.GetAt(1).Key == "kind" && apiVersion == Descriptor.GroupVersion && kind == Descriptor.Kind)
        {
            return;
        }

        var rest = obj.ToArray();
        obj.Clear();
        obj["apiVersion"] = Descriptor.GroupVersion;
        obj["kind"] = Descriptor.Kind;
        foreach (var (key, value) in rest)
        {
            if (key is not ("apiVersion" or "kind"))
            {
                obj[key] = value;
            }
        }
    }

    private void CheckNamespace(JsonObject obj, string ns)
    {
        var meta = Meta.Of(obj);
        var bodyNs = Meta.Namespace(obj);
        if (Descriptor.Namespaced)
        {
            if (bodyNs.Length > 0 && bodyNs != ns)
            {
                throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }
    }

    private static string GenerateName(string prefix)
    {
        if (prefix.Length > 58)
        {
            prefix = prefix[..58];
        }

        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = GenerateNameAlphabet[RandomNumberGenerator.GetInt32(GenerateNameAlphabet.Length)];
        }

        return prefix + new string(suffix);
    }

    private bool UsesGeneration => Strategy.GenerationFields is null || Strategy.GenerationFields.Count > 0;

    private bool SpecChanged(JsonObject oldObj, JsonObject newObj)
    {
        var fields = Strategy.GenerationFields;
        IEnumerable<string> keys = fields ?? oldObj.Select(p => p.Key).Concat(newObj.Select(p => p.Key))
            .Where(k => k is not ("metadata" or "status" or "apiVersion" or "kind")).Distinct();
        return keys.Any(k => !JsonNode.DeepEquals(oldObj[k], newObj[k]));
    }

    /// <summary>True when an object marked for deletion has no finalizers left and must go now.</summary>
    private bool ShouldDeleteNow(JsonObject obj)
    {
        if (Meta.Str(obj, "deletionTimestamp") is null || Meta.Finalizers(obj).Count > 0)
        {
            return false;
        }

        // Upstream's ShouldDeleteDuringUpdate: a graceful deletion still in its grace period (a pod whose kubelet posts
        // status while its containers stop) waits for the final grace-0 delete; only a grace of 0 (or none) ends it here.
        if (Meta.Of(obj)["deletionGracePeriodSeconds"] is JsonValue grace && long.TryParse(grace.ToJsonString(), out var seconds) && seconds > 0)
        {
            return false;
        }

        return !IsNamespaces || obj["spec"]?["finalizers"] is not JsonArray { Count: > 0 };
    }

    private List<FieldError> ValidateMetadata(JsonObject obj, JsonObject? old)
    {
        var meta = Meta.Of(obj);
        if (old is null)
        {
            return ObjectMetaValidation.ValidateObjectMeta(meta, Descriptor.Namespaced, Strategy.ValidateName);
        }

        var errors = new List<FieldError>();
        foreach (var e in ObjectMetaValidation.ValidateObjectMeta(meta, Descriptor.Namespaced, Strategy.ValidateName))
        {
            if (e.Field is not ("metadata.name" or "metadata.generateName"))
            {
                errors.Add(e);
            }
        }

        return errors;
    }
}
