using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The behaviour of one resource type, over its JSON form (upstream's <c>RESTCreateStrategy</c>,
/// <c>RESTUpdateStrategy</c>, <c>RESTDeleteStrategy</c> and table convertor in one small class per resource;
/// see <c>pkg/registry/core/configmap/strategy.go</c>). Every member has a default, so a strategy overrides only
/// what its type does differently. The generic store calls the members in this order:
/// create: <see cref="PrepareForCreate"/> → <see cref="ApplyDefaults"/> → <see cref="ValidateCreate"/>;
/// update: <see cref="PrepareForUpdate"/> → <see cref="ApplyDefaults"/> → <see cref="ValidateUpdate"/>.
/// Metadata rules shared by every type (name, labels, annotations, uid, generation, …) are the generic store's,
/// not the strategy's.
/// </summary>
public interface IResourceStrategy
{
    /// <summary>
    /// Clears what a create must not set (status for types with a status subresource) and sets what only a create
    /// sets. Called with the object as the client sent it, after metadata has been filled in.
    /// </summary>
    void PrepareForCreate(JsonObject obj)
    {
    }

    /// <summary>
    /// Applies upstream's defaults (<c>pkg/apis/&lt;group&gt;/v1/defaults.go</c>). Must be idempotent: it also runs on
    /// every update and patch.
    /// </summary>
    void ApplyDefaults(JsonObject obj)
    {
    }

    /// <summary>Validates a new object; metadata is validated by the generic store.</summary>
    IEnumerable<FieldError> ValidateCreate(JsonObject obj) => [];

    /// <summary>
    /// Adjusts an update of the main resource: by default, for types with a status subresource, the status is
    /// carried over from <paramref name="oldObj"/> (a status change needs the status subresource).
    /// </summary>
    void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        if (HasStatusSubresource)
        {
            if (oldObj["status"] is { } status)
            {
                newObj["status"] = status.DeepClone();
            }
            else
            {
                newObj.Remove("status");
            }
        }
    }

    /// <summary>Validates an update (immutable fields and the rules of <see cref="ValidateCreate"/>).</summary>
    IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) => ValidateCreate(newObj);

    /// <summary>
    /// Adjusts an update through the status subresource: by default every top-level field but <c>status</c> and
    /// <c>metadata</c> is carried over from <paramref name="oldObj"/> (the generic store handles metadata).
    /// </summary>
    void PrepareForStatusUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var (key, value) in oldObj.ToArray())
        {
            if (key is "status" or "metadata" or "apiVersion" or "kind")
            {
                continue;
            }

            newObj[key] = value?.DeepClone();
        }

        foreach (var key in newObj.Select(p => p.Key).ToArray())
        {
            if (key is not ("status" or "metadata" or "apiVersion" or "kind") && !oldObj.ContainsKey(key))
            {
                newObj.Remove(key);
            }
        }
    }

    /// <summary>Validates an update through the status subresource.</summary>
    IEnumerable<FieldError> ValidateStatusUpdate(JsonObject newObj, JsonObject oldObj) => [];

    /// <summary>
    /// Adjusts an update through another writable subresource of the type (CSR <c>approval</c>); by default as a
    /// status update.
    /// </summary>
    void PrepareForSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj) => PrepareForStatusUpdate(newObj, oldObj);

    /// <summary>Validates an update through another writable subresource; by default as a status update.</summary>
    IEnumerable<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj) => ValidateStatusUpdate(newObj, oldObj);

    /// <summary>
    /// What a DELETE without <c>propagationPolicy</c>/<c>orphanDependents</c> (and without a GC finalizer already set)
    /// does to dependents (upstream's <c>DefaultGarbageCollectionPolicy</c> for the served version).
    /// </summary>
    GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.DeleteDependents;

    /// <summary>True when the type has a <c>/status</c> subresource (status is then ignored on create and update).</summary>
    bool HasStatusSubresource => false;

    /// <summary>Whether PUT of a missing object creates it (upstream: false except a few types).</summary>
    bool AllowCreateOnUpdate => false;

    /// <summary>Whether PUT without <c>metadata.resourceVersion</c> is accepted as an unconditional update.</summary>
    bool AllowUnconditionalUpdate => true;

    /// <summary>
    /// The top-level fields whose change bumps <c>metadata.generation</c>; null means "everything but metadata and
    /// status". Types without a generation concept return an empty list.
    /// </summary>
    IReadOnlyList<string>? GenerationFields => null;

    /// <summary>
    /// Field-selector fields beyond <c>metadata.name</c> and <c>metadata.namespace</c> (pods: <c>spec.nodeName</c>,
    /// <c>status.phase</c>, …), each with how to read it from an object. Selecting on any other field is an error.
    /// </summary>
    IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => EmptyFields;

    /// <summary>The server-side printing of this type (Table columns and cells).</summary>
    TableDefinition Table => TableDefinition.Default;

    /// <summary>
    /// Validates <c>metadata.name</c> (or, with <paramref name="prefix"/>, <c>metadata.generateName</c>) by this
    /// type's rule and returns upstream's messages, empty when valid. Most types use an RFC 1123 subdomain;
    /// namespaces an RFC 1123 label, services an RFC 1035 label, RBAC objects a path segment. The generic store
    /// reports each message as <c>metadata.name: Invalid value: "…": message</c>.
    /// </summary>
    IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.CheckName(Rules.Dns1123Subdomain, name, prefix);

    /// <summary>
    /// Runs after validation and before a create (<paramref name="oldObj"/> null) or update is written, and may
    /// change <paramref name="newObj"/> (e.g. allocate a service's cluster IP and node ports) and reserve side state
    /// through <see cref="StrategyContext.Storage"/>. Throws a <see cref="Skiff.Api.Errors.StatusException"/> to
    /// refuse (nothing is then reserved). The returned hook, when not null, must be committed after a successful
    /// write or reverted when the write fails.
    /// </summary>
    ValueTask<WriteHook?> BeforeWriteAsync(StrategyContext context, JsonObject newObj, JsonObject? oldObj, CancellationToken ct) =>
        ValueTask.FromResult<WriteHook?>(null);

    /// <summary>
    /// Decides whether a delete is graceful (upstream <c>RESTGracefulDeleteStrategy.CheckGracefulDelete</c>): returns
    /// the grace period in seconds to record (the store then sets <c>deletionTimestamp</c> = now + period and
    /// <c>deletionGracePeriodSeconds</c>, keeps the object, and deletes it when a later delete asks for 0), or null to
    /// delete at once. <paramref name="requested"/> is DeleteOptions.gracePeriodSeconds. Only pods are graceful.
    /// </summary>
    long? DeletionGracePeriod(JsonObject obj, long? requested) => null;

    /// <summary>
    /// Runs once after an object has really been removed from storage (not when a delete only sets
    /// <c>deletionTimestamp</c>): releases side state such as IP and port allocations.
    /// </summary>
    ValueTask AfterDeleteAsync(StrategyContext context, JsonObject obj, CancellationToken ct) => ValueTask.CompletedTask;

    private static IReadOnlyDictionary<string, Func<JsonObject, string?>> EmptyFields { get; } =
        new Dictionary<string, Func<JsonObject, string?>>();
}

/// <summary>A strategy with every default: for types with no special behaviour.</summary>
public sealed class DefaultStrategy : IResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static DefaultStrategy Instance { get; } = new();
}
