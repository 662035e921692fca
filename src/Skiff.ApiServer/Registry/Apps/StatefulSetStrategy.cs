using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Apps;

/// <summary>
/// apps/v1 statefulsets: replicas 1, OrderedReady, RollingUpdate with partition 0, revisionHistoryLimit 10,
/// PVC retention Retain/Retain; selector required, matching and immutable; updates may change only replicas,
/// ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds.
/// </summary>
public sealed class StatefulSetStrategy : ResourceStrategy
{
    private const string ForbiddenUpdate =
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    /// <summary>The shared instance.</summary>
    public static StatefulSetStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.Default(spec, "replicas", 1);
        JsonPath.DefaultString(spec, "podManagementPolicy", "OrderedReady");
        var us = JsonPath.Ensure(spec, "updateStrategy");
        JsonPath.DefaultString(us, "type", "RollingUpdate");
        if (JsonPath.Str(us, "type") == "RollingUpdate")
        {
            JsonPath.Default(JsonPath.Ensure(us, "rollingUpdate"), "partition", 0);
        }

        JsonPath.Default(spec, "revisionHistoryLimit", 10);
        var retention = JsonPath.Ensure(spec, "persistentVolumeClaimRetentionPolicy");
        JsonPath.DefaultString(retention, "whenDeleted", "Retain");
        JsonPath.DefaultString(retention, "whenScaled", "Retain");
        foreach (var pvc in JsonPath.Objects(spec, "volumeClaimTemplates"))
        {
            JsonPath.DefaultString(JsonPath.Ensure(pvc, "spec"), "volumeMode", "Filesystem");
            JsonPath.Default(JsonPath.Ensure(pvc, "status"), "phase", "Pending");
        }

        WorkloadRules.TemplateDefaults(spec);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        foreach (var e in WorkloadRules.Replicas(obj, "spec.replicas"))
        {
            yield return e;
        }

        foreach (var e in WorkloadRules.SelectorAndTemplate(JsonPath.Obj(obj, "spec"), "spec", "statefulset", ["Always"]))
        {
            yield return e;
        }

        var policy = JsonPath.Str(obj, "spec", "podManagementPolicy");
        if (policy is not null && policy is not ("OrderedReady" or "Parallel"))
        {
            yield return FieldError.Invalid("spec.podManagementPolicy", Rules.Q(policy), "must be 'OrderedReady' or 'Parallel'");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        var n = Core.PodStrategy.Normalize(newObj["spec"]) as JsonObject ?? [];
        var o = Core.PodStrategy.Normalize(oldObj["spec"]) as JsonObject ?? [];
        foreach (var spec in (JsonObject[])[n, o])
        {
            foreach (var key in (string[])["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"])
            {
                spec.Remove(key);
            }
        }

        if (!JsonNode.DeepEquals(n, o))
        {
            yield return FieldError.Forbidden("spec", ForbiddenUpdate);
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Ready", "Number of the pod with ready state"), Columns.Age, Columns.Containers, Columns.Images],
        (o, now) =>
        {
            var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "template", "spec", "containers"));
            return [JsonPath.Name(o), $"{Cells.Int(o, "status", "readyReplicas")}/{Cells.Int(o, "spec", "replicas")}", Cells.Age(o, now), names, images];
        });
}
