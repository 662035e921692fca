using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 persistentvolumeclaims: volumeMode defaults to Filesystem, status starts Pending, the spec is
/// immutable after creation except the storage request, a first volumeName and a first storageClassName; upstream's printer.
/// </summary>
public sealed class PersistentVolumeClaimStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static PersistentVolumeClaimStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj) => obj["status"] = new JsonObject { ["phase"] = "Pending" };

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj) => JsonPath.DefaultString(JsonPath.Ensure(obj, "spec"), "volumeMode", "Filesystem");

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Arr(obj, "spec", "accessModes") is not { Count: > 0 })
        {
            yield return FieldError.Required("spec.accessModes", "at least 1 access mode is required");
        }

        if (JsonPath.Get(obj, "spec", "resources", "requests", "storage") is null)
        {
            yield return FieldError.Required("spec.resources[storage]");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        var newSpec = PodStrategy.Normalize(newObj["spec"]) as JsonObject ?? [];
        var oldSpec = PodStrategy.Normalize(oldObj["spec"]) as JsonObject ?? [];
        foreach (var spec in (JsonObject[])[newSpec, oldSpec])
        {
            spec.Remove("resources");
            spec.Remove("volumeAttributesClassName");
            if (JsonPath.Str(oldSpec, "volumeName") is null or "")
            {
                spec.Remove("volumeName");
            }

            // Retroactive default StorageClass assignment (GA in 1.28): a claim without a class may get one.
            if (JsonPath.Str(oldSpec, "storageClassName") is null)
            {
                spec.Remove("storageClassName");
            }
        }

        if (!JsonNode.DeepEquals(newSpec, oldSpec))
        {
            yield return FieldError.Forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims");
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Status", "phase represents the current phase of PersistentVolumeClaim."),
            Columns.S("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
            Columns.S("Capacity", "capacity represents the actual resources of the underlying volume."),
            Columns.S("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
            Columns.S("StorageClass", "StorageClass of the pvc"),
            Columns.S("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
            Columns.Age,
            Columns.S("VolumeMode", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.", 1),
        ],
        (o, now) =>
        {
            var phase = JsonPath.Str(o, "metadata", "deletionTimestamp") is { Length: > 0 } ? "Terminating" : JsonPath.Str(o, "status", "phase") ?? "";
            var volumeName = JsonPath.Str(o, "spec", "volumeName") ?? "";
            var bound = volumeName.Length > 0;
            return
            [
                JsonPath.Name(o),
                phase,
                volumeName,
                bound ? PersistentVolumeStrategy.Quantity(JsonPath.Get(o, "status", "capacity", "storage")) : "",
                bound ? AccessModes.Format(JsonPath.Arr(o, "status", "accessModes")) : "",
                JsonPath.Str(o, "spec", "storageClassName") ?? JsonPath.Str(o, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class") ?? "",
                JsonPath.Str(o, "spec", "volumeAttributesClassName") ?? "<unset>",
                Cells.Age(o, now),
                JsonPath.Str(o, "spec", "volumeMode") ?? "<unset>",
            ];
        });
}
