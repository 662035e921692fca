using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Apps;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 replicationcontrollers: replicas default to 1, the selector and template labels default to each other,
/// the selector must match the template; generation tracks the spec; field selector <c>status.replicas</c>.
/// </summary>
public sealed class ReplicationControllerStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["status.replicas"] = o => (JsonPath.Long(o, "status", "replicas") ?? 0).ToString(),
    };

    /// <summary>The shared instance.</summary>
    public static ReplicationControllerStrategy Instance { get; } = new();

    /// <summary>core/v1 orphans by default, for backwards compatibility (upstream rcStrategy).</summary>
    public override GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.OrphanDependents;

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.Default(spec, "replicas", 1);
        JsonPath.Default(spec, "minReadySeconds", 0);
        if (spec["template"] is JsonObject template)
        {
            var labels = JsonPath.Obj(template, "metadata", "labels");
            if (labels is { Count: > 0 } && JsonPath.Obj(spec, "selector") is null or { Count: 0 })
            {
                spec["selector"] = labels.DeepClone();
            }

            if (labels is null or { Count: 0 } && JsonPath.Obj(spec, "selector") is { Count: > 0 } sel)
            {
                JsonPath.Ensure(template, "metadata")["labels"] = sel.DeepClone();
            }

            PodSpecRules.ApplyDefaults(JsonPath.Ensure(template, "spec"), isPod: false);
        }

        if (JsonPath.Obj(obj, "metadata") is { } meta && JsonPath.Obj(meta, "labels") is null or { Count: 0 } &&
            JsonPath.Obj(spec, "template", "metadata", "labels") is { Count: > 0 } tl)
        {
            meta["labels"] = tl.DeepClone();
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var selector = JsonPath.Obj(obj, "spec", "selector");
        if (selector is null or { Count: 0 })
        {
            yield return FieldError.Required("spec.selector");
        }

        foreach (var e in WorkloadRules.Replicas(obj, "spec.replicas"))
        {
            yield return e;
        }

        if (JsonPath.Obj(obj, "spec", "template") is not { } template)
        {
            yield return FieldError.Required("spec.template");
            yield break;
        }

        var labels = JsonPath.Obj(template, "metadata", "labels");
        if (selector is { Count: > 0 } && !selector.All(p => JsonPath.AsString(labels?[p.Key]) == JsonPath.AsString(p.Value)))
        {
            yield return FieldError.Invalid("spec.template.metadata.labels", Rules.Q(Cells.LabelString(labels)), "`selector` does not match template `labels`");
        }

        foreach (var e in PodSpecRules.Validate(template["spec"], "spec.template.spec", isPod: false))
        {
            yield return e;
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.I("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
            Columns.I("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
            Columns.I("Ready", "The number of ready replicas for this replication controller."),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.S("Selector", "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
        ],
        (o, now) =>
        {
            var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "template", "spec", "containers"));
            return
            [
                JsonPath.Name(o), Cells.Int(o, "spec", "replicas"), Cells.Int(o, "status", "replicas"), Cells.Int(o, "status", "readyReplicas"),
                Cells.Age(o, now), names, images, Cells.Labels(JsonPath.Get(o, "spec", "selector")),
            ];
        });
}
