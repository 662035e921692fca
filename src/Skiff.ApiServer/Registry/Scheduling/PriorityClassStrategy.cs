using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Scheduling;

/// <summary>
/// scheduling.k8s.io/v1 priorityclasses: preemptionPolicy defaults to PreemptLowerPriority; the <c>system-</c>
/// prefix is reserved; value and preemptionPolicy may not change.
/// </summary>
public sealed class PriorityClassStrategy : ResourceStrategy
{
    private static readonly string[] SystemClasses = ["system-node-critical", "system-cluster-critical"];

    /// <summary>The shared instance.</summary>
    public static PriorityClassStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj) => JsonPath.DefaultString(obj, "preemptionPolicy", "PreemptLowerPriority");

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var name = JsonPath.Name(obj);
        if (name.StartsWith("system-", StringComparison.Ordinal) && !SystemClasses.Contains(name))
        {
            yield return FieldError.Invalid("metadata.name", Rules.Q(name), "priority class names with 'system-' prefix are reserved for system use only");
        }

        if (JsonPath.Str(obj, "preemptionPolicy") is { } pp && pp is not ("PreemptLowerPriority" or "Never"))
        {
            yield return FieldError.NotSupported("preemptionPolicy", Rules.Q(pp), ["Never", "PreemptLowerPriority"]);
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        if (!JsonNode.DeepEquals(newObj["value"], oldObj["value"]))
        {
            yield return FieldError.Forbidden("value", "may not be changed in an update.");
        }

        if (!JsonNode.DeepEquals(newObj["preemptionPolicy"], oldObj["preemptionPolicy"]))
        {
            yield return FieldError.Invalid("preemptionPolicy", Show(newObj["preemptionPolicy"]), "field is immutable");
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.I("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
            Columns.B("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
            Columns.Age,
            Columns.S("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
        ],
        (o, now) => [JsonPath.Name(o), Cells.Int(o, "value"), JsonPath.Bool(o, "globalDefault") == true, Cells.Age(o, now), JsonPath.Str(o, "preemptionPolicy") ?? ""]);
}
