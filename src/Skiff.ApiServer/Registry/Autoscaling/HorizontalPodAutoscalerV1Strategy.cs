using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Autoscaling;

/// <summary>
/// autoscaling/v1 horizontalpodautoscalers, stored as autoscaling/v2 (<see cref="HorizontalPodAutoscalerV1Converter"/>):
/// v1's own default (minReplicas 1; the CPU target is defaulted by the conversion), validation of the converted v2
/// object (upstream validates the internal type), the status reset on create and update extended to the round-trip
/// annotations that carry status (current metrics and conditions), and the same printer as v2 (upstream prints the
/// internal type).
/// </summary>
public sealed class HorizontalPodAutoscalerV1Strategy : ResourceStrategy
{
    private static readonly string[] StatusAnnotations =
        [HorizontalPodAutoscalerConversion.MetricStatusesAnnotation, HorizontalPodAutoscalerConversion.ConditionsAnnotation];

    /// <summary>The shared instance.</summary>
    public static HorizontalPodAutoscalerV1Strategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj) => JsonPath.Default(JsonPath.Ensure(obj, "spec"), "minReplicas", 1);

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        foreach (var key in StatusAnnotations)
        {
            JsonPath.Obj(obj, "metadata", "annotations")?.Remove(key);
        }
    }

    /// <inheritdoc/>
    public override void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        base.PrepareForUpdate(newObj, oldObj);
        foreach (var key in StatusAnnotations)
        {
            var old = JsonPath.Str(oldObj, "metadata", "annotations", key);
            if (old is not null)
            {
                JsonPath.Ensure(newObj, "metadata", "annotations")[key] = old;
            }
            else
            {
                JsonPath.Obj(newObj, "metadata", "annotations")?.Remove(key);
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) =>
        HorizontalPodAutoscalerStrategy.Instance.ValidateCreate(HorizontalPodAutoscalerConversion.ToV2(obj));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        HorizontalPodAutoscalerStrategy.Instance.Table.Columns,
        (o, now) => HorizontalPodAutoscalerStrategy.Instance.Table.Cells(HorizontalPodAutoscalerConversion.ToV2(o), now));
}
