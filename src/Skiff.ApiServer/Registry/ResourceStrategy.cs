using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The base of the built-in strategies: every <see cref="IResourceStrategy"/> member as an overridable virtual with
/// the interface's behaviour, except that <see cref="GenerationFields"/> defaults to "no generation" (most built-in
/// types leave <c>metadata.generation</c> unset) and a create through a type with a status subresource starts from
/// an empty status (upstream resets <c>Status</c> to its zero value).
/// </summary>
public abstract class ResourceStrategy : IResourceStrategy
{
    private static readonly IReadOnlyDictionary<string, Func<JsonObject, string?>> NoFields = new Dictionary<string, Func<JsonObject, string?>>();

    /// <inheritdoc/>
    public virtual bool HasStatusSubresource => false;

    /// <inheritdoc/>
    public virtual GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.DeleteDependents;

    /// <inheritdoc/>
    public virtual bool AllowCreateOnUpdate => false;

    /// <inheritdoc/>
    public virtual bool AllowUnconditionalUpdate => true;

    /// <inheritdoc/>
    public virtual IReadOnlyList<string>? GenerationFields => [];

    /// <inheritdoc/>
    public virtual IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => NoFields;

    /// <inheritdoc/>
    public virtual TableDefinition Table => TableDefinition.Default;

    /// <inheritdoc/>
    public virtual void PrepareForCreate(JsonObject obj)
    {
        if (HasStatusSubresource)
        {
            obj["status"] = new JsonObject();
        }
    }

    /// <inheritdoc/>
    public virtual void ApplyDefaults(JsonObject obj)
    {
    }

    /// <inheritdoc/>
    public virtual IEnumerable<FieldError> ValidateCreate(JsonObject obj) => [];

    /// <inheritdoc/>
    public virtual void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        if (HasStatusSubresource)
        {
            KeepStatus(newObj, oldObj);
        }
    }

    /// <inheritdoc/>
    public virtual IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) => ValidateCreate(newObj);

    /// <inheritdoc/>
    public virtual void PrepareForStatusUpdate(JsonObject newObj, JsonObject oldObj) => KeepAllButStatus(newObj, oldObj);

    /// <inheritdoc/>
    public virtual IEnumerable<FieldError> ValidateStatusUpdate(JsonObject newObj, JsonObject oldObj) => [];

    /// <inheritdoc/>
    public virtual void PrepareForSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj) => PrepareForStatusUpdate(newObj, oldObj);

    /// <inheritdoc/>
    public virtual IEnumerable<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj) => ValidateStatusUpdate(newObj, oldObj);

    /// <inheritdoc/>
    public virtual IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.CheckName(Rules.Dns1123Subdomain, name, prefix);

    /// <inheritdoc/>
    public virtual ValueTask<WriteHook?> BeforeWriteAsync(StrategyContext context, JsonObject newObj, JsonObject? oldObj, CancellationToken ct) =>
        ValueTask.FromResult<WriteHook?>(null);

    /// <inheritdoc/>
    public virtual long? DeletionGracePeriod(JsonObject obj, long? requested) => null;

    /// <inheritdoc/>
    public virtual ValueTask AfterDeleteAsync(StrategyContext context, JsonObject obj, CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>Replaces <c>status</c> of <paramref name="newObj"/> with the old one (or removes it).</summary>
    protected static void KeepStatus(JsonObject newObj, JsonObject oldObj)
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

    /// <summary>Carries every top-level field but status, metadata, apiVersion and kind over from the old object.</summary>
    protected static void KeepAllButStatus(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var key in newObj.Select(p => p.Key).ToArray())
        {
            if (key is not ("status" or "metadata" or "apiVersion" or "kind"))
            {
                newObj.Remove(key);
            }
        }

        foreach (var (key, value) in oldObj)
        {
            if (key is not ("status" or "metadata" or "apiVersion" or "kind"))
            {
                newObj[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>A <c>field is immutable</c> error when the values at <paramref name="field"/> differ.</summary>
    protected static IEnumerable<FieldError> Immutable(JsonNode? newValue, JsonNode? oldValue, string field, string? shownValue = null)
    {
        if (!JsonNode.DeepEquals(newValue, oldValue))
        {
            yield return FieldError.Invalid(field, shownValue ?? Show(newValue), "field is immutable");
        }
    }

    /// <summary>A bad value as upstream prints it: strings quoted, numbers and booleans bare, objects as JSON.</summary>
    protected static string Show(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when JsonPath.AsString(v) is { } s => Rules.Q(s),
        _ => value.ToJsonString(),
    };
}
