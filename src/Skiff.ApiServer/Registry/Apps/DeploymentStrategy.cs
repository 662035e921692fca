using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Apps;

/// <summary>
/// apps/v1 deployments (<c>pkg/registry/apps/deployment/strategy.go</c>, <c>pkg/apis/apps/v1/defaults.go</c>):
/// replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, template defaults;
/// the selector is required, must match the template and is immutable; generation tracks the spec.
/// </summary>
public sealed class DeploymentStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static DeploymentStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.Default(spec, "replicas", 1);
        var strategy = JsonPath.Ensure(spec, "strategy");
        JsonPath.DefaultString(strategy, "type", "RollingUpdate");
        if (JsonPath.Str(strategy, "type") == "RollingUpdate")
        {
            var ru = JsonPath.Ensure(strategy, "rollingUpdate");
            JsonPath.Default(ru, "maxUnavailable", "25%");
            JsonPath.Default(ru, "maxSurge", "25%");
        }

        JsonPath.Default(spec, "revisionHistoryLimit", 10);
        JsonPath.Default(spec, "progressDeadlineSeconds", 600);
        WorkloadRules.TemplateDefaults(spec);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        foreach (var e in WorkloadRules.Replicas(obj, "spec.replicas"))
        {
            yield return e;
        }

        foreach (var e in WorkloadRules.SelectorAndTemplate(JsonPath.Obj(obj, "spec"), "spec", "deployment", ["Always"]))
        {
            yield return e;
        }

        var type = JsonPath.Str(obj, "spec", "strategy", "type");
        if (type is not null && type is not ("RollingUpdate" or "Recreate"))
        {
            yield return FieldError.NotSupported("spec.strategy.type", Rules.Q(type), ["Recreate", "RollingUpdate"]);
        }

        if (type == "Recreate" && JsonPath.Obj(obj, "spec", "strategy", "rollingUpdate") is not null)
        {
            yield return FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
        }

        if (JsonPath.Long(obj, "spec", "progressDeadlineSeconds") is { } pd && JsonPath.Long(obj, "spec", "minReadySeconds") is { } mr && pd <= mr)
        {
            yield return FieldError.Invalid("spec.progressDeadlineSeconds", pd.ToString(), "must be greater than minReadySeconds");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(WorkloadRules.ImmutableSelector(newObj, oldObj));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Ready", "Number of the pod with ready state"),
            Columns.S("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            Columns.S("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.S("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
        ],
        (o, now) =>
        {
            var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "template", "spec", "containers"));
            return
            [
                JsonPath.Name(o),
                $"{Cells.Int(o, "status", "readyReplicas")}/{Cells.Int(o, "spec", "replicas")}",
                Cells.Int(o, "status", "updatedReplicas"),
                Cells.Int(o, "status", "availableReplicas"),
                Cells.Age(o, now),
                names,
                images,
                Cells.SelectorString(JsonPath.Get(o, "spec", "selector")),
            ];
        });
}
