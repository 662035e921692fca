using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 persistentvolumes: reclaim policy defaults to Retain and volumeMode to Filesystem, status starts
/// Pending; the printer of upstream.
/// </summary>
public sealed class PersistentVolumeStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static PersistentVolumeStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj) => obj["status"] = new JsonObject { ["phase"] = "Pending" };

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.DefaultString(spec, "persistentVolumeReclaimPolicy", "Retain");
        JsonPath.DefaultString(spec, "volumeMode", "Filesystem");
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Arr(obj, "spec", "accessModes") is not { Count: > 0 })
        {
            yield return FieldError.Required("spec.accessModes");
        }

        if (JsonPath.Get(obj, "spec", "capacity", "storage") is null)
        {
            yield return FieldError.Required("spec.capacity");
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Capacity", "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
            Columns.S("Access Modes", "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
            Columns.S("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
            Columns.S("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
            Columns.S("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
            Columns.S("StorageClass", "StorageClass of the pv"),
            Columns.S("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
            Columns.S("Reason", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
            Columns.Age,
            Columns.S("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.", 1),
        ],
        (o, now) =>
        {
            var claim = JsonPath.Obj(o, "spec", "claimRef") is { } c ? $"{JsonPath.Str(c, "namespace")}/{JsonPath.Str(c, "name")}" : "";
            var phase = JsonPath.Str(o, "metadata", "deletionTimestamp") is { Length: > 0 } ? "Terminating" : JsonPath.Str(o, "status", "phase") ?? "";
            return
            [
                JsonPath.Name(o),
                Quantity(JsonPath.Get(o, "spec", "capacity", "storage")),
                AccessModes.Format(JsonPath.Arr(o, "spec", "accessModes")),
                JsonPath.Str(o, "spec", "persistentVolumeReclaimPolicy") ?? "",
                phase,
                claim,
                JsonPath.Str(o, "spec", "storageClassName") ?? JsonPath.Str(o, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class") ?? "",
                JsonPath.Str(o, "spec", "volumeAttributesClassName") ?? "<unset>",
                JsonPath.Str(o, "status", "reason") ?? "",
                Cells.Age(o, now),
                JsonPath.Str(o, "spec", "volumeMode") ?? "<unset>",
            ];
        });

    /// <summary>A quantity cell: the stored string, or "0" when missing.</summary>
    internal static string Quantity(JsonNode? q) => JsonPath.AsString(q) ?? JsonPath.AsLong(q)?.ToString() ?? "0";
}
