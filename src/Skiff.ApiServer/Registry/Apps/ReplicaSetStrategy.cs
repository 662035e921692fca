using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Apps;

/// <summary>
/// apps/v1 replicasets: replicas default to 1, the selector is required, matches the template and is immutable;
/// generation tracks the spec; field selector <c>status.replicas</c>.
/// </summary>
public sealed class ReplicaSetStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["status.replicas"] = o => (JsonPath.Long(o, "status", "replicas") ?? 0).ToString(),
    };

    /// <summary>The shared instance.</summary>
    public static ReplicaSetStrategy Instance { get; } = new();

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
        WorkloadRules.TemplateDefaults(spec);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) =>
        WorkloadRules.Replicas(obj, "spec.replicas")
            .Concat(WorkloadRules.SelectorAndTemplate(JsonPath.Obj(obj, "spec"), "spec", "replicaset", ["Always"]));

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(WorkloadRules.ImmutableSelector(newObj, oldObj));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.I("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
            Columns.I("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
            Columns.I("Ready", "readyReplicas is the number of pods targeted by this ReplicaSet controller with a Ready Condition."),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.S("Selector", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
        ],
        (o, now) =>
        {
            var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "template", "spec", "containers"));
            return
            [
                JsonPath.Name(o), Cells.Int(o, "spec", "replicas"), Cells.Int(o, "status", "replicas"), Cells.Int(o, "status", "readyReplicas"),
                Cells.Age(o, now), names, images, Cells.Selector(JsonPath.Get(o, "spec", "selector")),
            ];
        });
}
