using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Storage;

/// <summary>
/// storage.k8s.io/v1 storageclasses: reclaimPolicy Delete and volumeBindingMode Immediate by default; provisioner
/// required; parameters, provisioner, reclaimPolicy and volumeBindingMode may not change; " (default)" marks the
/// default class in the printer.
/// </summary>
public sealed class StorageClassStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static StorageClassStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        JsonPath.DefaultString(obj, "reclaimPolicy", "Delete");
        JsonPath.DefaultString(obj, "volumeBindingMode", "Immediate");
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Str(obj, "provisioner") is null or "")
        {
            yield return FieldError.Required("provisioner");
        }

        if (JsonPath.Str(obj, "reclaimPolicy") is { } rp && rp is not ("Delete" or "Retain"))
        {
            yield return FieldError.NotSupported("reclaimPolicy", Rules.Q(rp), ["Delete", "Retain"]);
        }

        if (JsonPath.Str(obj, "volumeBindingMode") is { } m && m is not ("Immediate" or "WaitForFirstConsumer"))
        {
            yield return FieldError.NotSupported("volumeBindingMode", Rules.Q(m), ["Immediate", "WaitForFirstConsumer"]);
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        foreach (var key in (string[])["parameters", "provisioner"])
        {
            if (!JsonNode.DeepEquals(newObj[key], oldObj[key]))
            {
                yield return FieldError.Forbidden(key, $"updates to {key} are forbidden.");
            }
        }

        if (!JsonNode.DeepEquals(newObj["reclaimPolicy"], oldObj["reclaimPolicy"]))
        {
            yield return FieldError.Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.");
        }

        foreach (var e in Immutable(newObj["volumeBindingMode"], oldObj["volumeBindingMode"], "volumeBindingMode"))
        {
            yield return e;
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Provisioner", "provisioner indicates the type of the provisioner."),
            Columns.S("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
            Columns.S("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
            Columns.S("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
            Columns.Age,
        ],
        (o, now) =>
        {
            var isDefault = JsonPath.Str(o, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true" ||
                            JsonPath.Str(o, "metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class") == "true";
            return
            [
                JsonPath.Name(o) + (isDefault ? " (default)" : ""),
                JsonPath.Str(o, "provisioner") ?? "",
                JsonPath.Str(o, "reclaimPolicy") ?? "Delete",
                JsonPath.Str(o, "volumeBindingMode") ?? "Immediate",
                JsonPath.Bool(o, "allowVolumeExpansion") == true,
                Cells.Age(o, now),
            ];
        });
}
