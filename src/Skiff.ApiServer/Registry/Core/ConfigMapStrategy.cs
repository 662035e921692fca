using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 configmaps (<c>pkg/registry/core/configmap/strategy.go</c>): keys must be valid config keys, a key
/// may not be in both data and binaryData, and <c>immutable: true</c> freezes data, binaryData and the flag.
/// </summary>
public sealed class ConfigMapStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static ConfigMapStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."), Columns.Age],
        (o, now) => [JsonPath.Name(o), (long)((JsonPath.Obj(o, "data")?.Count ?? 0) + (JsonPath.Obj(o, "binaryData")?.Count ?? 0)), Cells.Age(o, now)]);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        foreach (var e in DataKeys.Validate(obj, "data"))
        {
            yield return e;
        }

        foreach (var e in DataKeys.Validate(obj, "binaryData"))
        {
            yield return e;
        }

        if (JsonPath.Obj(obj, "data") is { } data && JsonPath.Obj(obj, "binaryData") is { } binary)
        {
            foreach (var (key, _) in data)
            {
                if (binary.ContainsKey(key))
                {
                    yield return FieldError.Invalid("data", Rules.Q(key), "duplicate of key present in binaryData");
                }
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        foreach (var e in DataKeys.ValidateImmutable(newObj, oldObj, "data", "binaryData"))
        {
            yield return e;
        }
    }
}
