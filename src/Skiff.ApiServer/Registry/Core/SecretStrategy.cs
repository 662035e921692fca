using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 secrets (<c>pkg/registry/core/secret/strategy.go</c>): type defaults to Opaque and is immutable,
/// keys are config keys, the well-known types require their keys, <c>immutable: true</c> freezes the data;
/// field selector <c>type</c>.
/// </summary>
public sealed class SecretStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["type"] = o => JsonPath.Str(o, "type") ?? "",
    };

    /// <summary>The shared instance.</summary>
    public static SecretStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Type", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"), Columns.S("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"), Columns.Age],
        (o, now) => [JsonPath.Name(o), JsonPath.Str(o, "type") ?? "", (long)(JsonPath.Obj(o, "data")?.Count ?? 0), Cells.Age(o, now)]);

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        // stringData is write-only: merged into data (base64) and dropped.
        if (JsonPath.Obj(obj, "stringData") is { } stringData)
        {
            var data = JsonPath.Ensure(obj, "data");
            foreach (var (k, v) in stringData)
            {
                data[k] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(JsonPath.AsString(v) ?? ""));
            }

            obj.Remove("stringData");
        }
    }

    /// <inheritdoc/>
    public override void PrepareForUpdate(JsonObject newObj, JsonObject oldObj) => PrepareForCreate(newObj);

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj) => JsonPath.DefaultString(obj, "type", "Opaque");

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        foreach (var e in DataKeys.Validate(obj, "data"))
        {
            yield return e;
        }

        var data = JsonPath.Obj(obj, "data");
        string[] required = JsonPath.Str(obj, "type") switch
        {
            "kubernetes.io/dockercfg" => [".dockercfg"],
            "kubernetes.io/dockerconfigjson" => [".dockerconfigjson"],
            "kubernetes.io/basic-auth" => [],
            "kubernetes.io/ssh-auth" => ["ssh-privatekey"],
            "kubernetes.io/tls" => ["tls.crt", "tls.key"],
            _ => [],
        };
        foreach (var key in required)
        {
            if (data is null || !data.ContainsKey(key))
            {
                yield return FieldError.Required($"data[{key}]");
            }
        }

        if (JsonPath.Str(obj, "type") == "kubernetes.io/service-account-token" &&
            JsonPath.Str(obj, "metadata", "annotations", "kubernetes.io/service-account.name") is null or "")
        {
            yield return FieldError.Required("metadata.annotations[kubernetes.io/service-account.name]");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        foreach (var e in Immutable(newObj["type"], oldObj["type"], "type"))
        {
            yield return e;
        }

        foreach (var e in DataKeys.ValidateImmutable(newObj, oldObj, "data"))
        {
            yield return e;
        }
    }
}
