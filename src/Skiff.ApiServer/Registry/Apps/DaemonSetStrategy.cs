using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Apps;

/// <summary>
/// apps/v1 daemonsets: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10; selector
/// required, matching and immutable; generation tracks the spec. The template generation (internal
/// <c>spec.templateGeneration</c>, carried in apps/v1 by the <c>deprecated.daemonset.template.generation</c> annotation)
/// starts at 1 and grows by one whenever an update changes the template; clients cannot set it.
/// </summary>
public sealed class DaemonSetStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static DaemonSetStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <summary>The annotation apps/v1 carries the template generation in.</summary>
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        JsonPath.Ensure(obj, "metadata", "annotations")[TemplateGenerationAnnotation] = "1";
    }

    /// <inheritdoc/>
    public override void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        base.PrepareForUpdate(newObj, oldObj);
        var old = long.TryParse(JsonPath.Str(oldObj, "metadata", "annotations", TemplateGenerationAnnotation), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : 0;
        var changed = !JsonNode.DeepEquals(Core.PodStrategy.Normalize(JsonPath.Get(newObj, "spec", "template")), Core.PodStrategy.Normalize(JsonPath.Get(oldObj, "spec", "template")));
        JsonPath.Ensure(newObj, "metadata", "annotations")[TemplateGenerationAnnotation] = (changed ? old + 1 : old).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        var us = JsonPath.Ensure(spec, "updateStrategy");
        JsonPath.DefaultString(us, "type", "RollingUpdate");
        if (JsonPath.Str(us, "type") == "RollingUpdate")
        {
            var ru = JsonPath.Ensure(us, "rollingUpdate");
            JsonPath.Default(ru, "maxUnavailable", 1);
            JsonPath.Default(ru, "maxSurge", 0);
        }

        JsonPath.Default(spec, "revisionHistoryLimit", 10);
        WorkloadRules.TemplateDefaults(spec);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) =>
        WorkloadRules.SelectorAndTemplate(JsonPath.Obj(obj, "spec"), "spec", "daemonset", ["Always"]);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(WorkloadRules.ImmutableSelector(newObj, oldObj));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.I("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
            Columns.I("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
            Columns.I("Ready", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
            Columns.I("Up-to-date", "The total number of nodes that are running updated daemon pod"),
            Columns.I("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
            Columns.S("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.S("Selector", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
        ],
        (o, now) =>
        {
            var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "template", "spec", "containers"));
            return
            [
                JsonPath.Name(o),
                Cells.Int(o, "status", "desiredNumberScheduled"), Cells.Int(o, "status", "currentNumberScheduled"), Cells.Int(o, "status", "numberReady"),
                Cells.Int(o, "status", "updatedNumberScheduled"), Cells.Int(o, "status", "numberAvailable"),
                Cells.Labels(JsonPath.Get(o, "spec", "template", "spec", "nodeSelector")),
                Cells.Age(o, now), names, images, Cells.Selector(JsonPath.Get(o, "spec", "selector")),
            ];
        });
}
