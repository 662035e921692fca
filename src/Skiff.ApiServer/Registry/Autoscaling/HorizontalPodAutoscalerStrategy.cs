using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Autoscaling;

/// <summary>
/// autoscaling/v2 horizontalpodautoscalers: minReplicas 1 and a CPU 80% utilization target when no metric is
/// given; scaleTargetRef kind and name required, maxReplicas ≥ 1 and ≥ minReplicas; REFERENCE/TARGETS printer.
/// </summary>
public sealed class HorizontalPodAutoscalerStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static HorizontalPodAutoscalerStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.Default(spec, "minReplicas", 1);
        if (spec["metrics"] is null)
        {
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            });
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec");
        if (JsonPath.Str(spec, "scaleTargetRef", "kind") is null or "")
        {
            yield return FieldError.Required("spec.scaleTargetRef.kind");
        }

        if (JsonPath.Str(spec, "scaleTargetRef", "name") is null or "")
        {
            yield return FieldError.Required("spec.scaleTargetRef.name");
        }

        var min = JsonPath.Long(spec, "minReplicas");
        var max = JsonPath.Long(spec, "maxReplicas") ?? 0;
        if (min is < 1)
        {
            yield return FieldError.Invalid("spec.minReplicas", min.Value.ToString(), "must be greater than or equal to 1");
        }

        if (max < 1)
        {
            yield return FieldError.Invalid("spec.maxReplicas", max.ToString(), "must be greater than or equal to 1");
        }
        else if (min is { } m && max < m)
        {
            yield return FieldError.Invalid("spec.maxReplicas", max.ToString(), "must be greater than or equal to `minReplicas`");
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Reference", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
            Columns.S("Targets", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond."),
            Columns.S("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."),
            Columns.S("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
            Columns.S("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
            Columns.Age,
        ],
        (o, now) =>
        [
            JsonPath.Name(o),
            $"{JsonPath.Str(o, "spec", "scaleTargetRef", "kind")}/{JsonPath.Str(o, "spec", "scaleTargetRef", "name")}",
            Targets(o),
            JsonPath.Long(o, "spec", "minReplicas")?.ToString() ?? "<unset>",
            Cells.Int(o, "spec", "maxReplicas"),
            Cells.Int(o, "status", "currentReplicas"),
            Cells.Age(o, now),
        ]);

    /// <summary>upstream's <c>formatHPAMetrics</c> (at most two metrics, then "+ N more...").</summary>
    public static string Targets(JsonObject o)
    {
        var specs = JsonPath.Objects(o, "spec", "metrics").ToList();
        if (specs.Count == 0)
        {
            return "<none>";
        }

        var statuses = JsonPath.Objects(o, "status", "currentMetrics").ToList();
        var list = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var status = i < statuses.Count ? statuses[i] : null;
            var type = JsonPath.Str(spec, "type");
            var key = type switch
            {
                "External" => "external",
                "Pods" => "pods",
                "Object" => "object",
                "Resource" => "resource",
                "ContainerResource" => "containerResource",
                _ => null,
            };
            if (key is null)
            {
                list.Add("<unknown type>");
                continue;
            }

            var target = JsonPath.Obj(spec, key, "target");
            var current = JsonPath.Obj(status, key, "current");
            var q = (JsonNode? n) => JsonPath.AsString(n) ?? JsonPath.AsLong(n)?.ToString();
            if (key is "resource" or "containerResource")
            {
                var name = JsonPath.Str(spec, key, "name") ?? "";
                if (target?["averageValue"] is { } av)
                {
                    list.Add($"{name}: {q(current?["averageValue"]) ?? "<unknown>"}/{q(av)}");
                }
                else
                {
                    var cur = JsonPath.Long(current, "averageUtilization") is { } cu ? $"{cu}%" : "<unknown>";
                    var tgt = JsonPath.Long(target, "averageUtilization") is { } tu ? $"{tu}%" : "<auto>";
                    list.Add($"{name}: {cur}/{tgt}");
                }
            }
            else if (key == "pods")
            {
                list.Add($"{q(current?["averageValue"]) ?? "<unknown>"}/{q(target?["averageValue"])}");
            }
            else if (target?["averageValue"] is { } av)
            {
                list.Add($"{q(current?["averageValue"]) ?? "<unknown>"}/{q(av)} (avg)");
            }
            else
            {
                list.Add($"{q(current?["value"]) ?? "<unknown>"}/{q(target?["value"])}");
            }
        }

        const int max = 2;
        return list.Count > max ? $"{string.Join(", ", list.Take(max))} + {list.Count - max} more..." : string.Join(", ", list);
    }
}
