using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;

namespace Skiff.ApiServer.Registry.Autoscaling;

/// <summary>
/// autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler, as upstream converts through the internal type
/// (<c>pkg/apis/autoscaling/v1/conversion.go</c>). v1 has one field for a CPU utilization target
/// (<c>spec.targetCPUUtilizationPercentage</c>, the first cpu Resource metric) and for the current CPU utilization
/// (<c>status.currentCPUUtilizationPercentage</c>); everything else v2 has is carried in annotations: the other metrics
/// (<see cref="MetricSpecsAnnotation"/>, as v1 <c>MetricSpec</c>s), every current metric
/// (<see cref="MetricStatusesAnnotation"/>), the conditions (<see cref="ConditionsAnnotation"/>) and the behavior
/// (<see cref="BehaviorSpecsAnnotation"/>, the internal Go type marshalled without JSON tags, so its keys are
/// capitalised). Converting back reads and removes them; a v1 object with no metric at all gets upstream's implicit 80%
/// CPU target. As upstream, the CPU target goes last when the metrics come back from the annotation.
/// </summary>
public static class HorizontalPodAutoscalerConversion
{
    /// <summary>The v1 annotation carrying the v2 metrics other than the CPU utilization target.</summary>
    public const string MetricSpecsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";

    /// <summary>The v1 annotation carrying v2's <c>status.currentMetrics</c>.</summary>
    public const string MetricStatusesAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";

    /// <summary>The v1 annotation carrying v2's <c>status.conditions</c>.</summary>
    public const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";

    /// <summary>The v1 annotation carrying v2's <c>spec.behavior</c>.</summary>
    public const string BehaviorSpecsAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

    /// <summary>upstream <c>autoscaling.DefaultCPUUtilization</c>.</summary>
    public const int DefaultCpuUtilization = 80;

    private static readonly string[] RoundTripAnnotations = [MetricSpecsAnnotation, MetricStatusesAnnotation, ConditionsAnnotation, BehaviorSpecsAnnotation];

    private static readonly JsonSerializerOptions GoJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An autoscaling/v2 object as autoscaling/v1 (a new object; <paramref name="v2"/> is not changed).</summary>
    public static JsonObject ToV1(JsonObject v2)
    {
        var meta = (JsonObject?)v2["metadata"]?.DeepClone() ?? new JsonObject();
        var annotations = DropRoundTripAnnotations(meta);
        var spec = JsonPath.Obj(v2, "spec");
        var status = JsonPath.Obj(v2, "status");
        var metrics = JsonPath.Objects(spec, "metrics").ToList();
        var other = new JsonArray(metrics.Where(m => !IsCpuUtilization(m, "target")).Select(m => (JsonNode)HorizontalPodAutoscalerMetrics.SpecToV1(m)).ToArray());
        var current = JsonPath.Objects(status, "currentMetrics").ToList();
        var conditions = JsonPath.Objects(status, "conditions").ToList();
        if (other.Count > 0)
        {
            annotations[MetricSpecsAnnotation] = Go(other);
        }

        if (current.Count > 0)
        {
            annotations[MetricStatusesAnnotation] = Go(new JsonArray(current.Select(m => (JsonNode)HorizontalPodAutoscalerMetrics.StatusToV1(m)).ToArray()));
        }

        if (conditions.Count > 0)
        {
            annotations[ConditionsAnnotation] = Go(new JsonArray(conditions.Select(c => c.DeepClone()).ToArray()));
        }

        if (JsonPath.Obj(spec, "behavior") is { } behavior)
        {
            annotations[BehaviorSpecsAnnotation] = Go(InternalBehavior(behavior));
        }

        SetAnnotations(meta, annotations);
        var v1Spec = new JsonObject { ["scaleTargetRef"] = spec?["scaleTargetRef"]?.DeepClone() ?? new JsonObject() };
        Copy(spec, v1Spec, "minReplicas");
        v1Spec["maxReplicas"] = spec?["maxReplicas"]?.DeepClone() ?? 0;
        // The first cpu Resource metric with a utilization target (upstream's fix for kubernetes#101370).
        if (metrics.FirstOrDefault(m => IsCpuUtilization(m, "target")) is { } cpu && JsonPath.Get(cpu, "resource", "target", "averageUtilization") is { } target)
        {
            v1Spec["targetCPUUtilizationPercentage"] = target.DeepClone();
        }

        var result = new JsonObject { ["apiVersion"] = "autoscaling/v1", ["kind"] = "HorizontalPodAutoscaler", ["metadata"] = meta, ["spec"] = v1Spec };
        if (status is not null)
        {
            var v1Status = new JsonObject();
            Copy(status, v1Status, "observedGeneration");
            Copy(status, v1Status, "lastScaleTime");
            v1Status["currentReplicas"] = status["currentReplicas"]?.DeepClone() ?? 0;
            v1Status["desiredReplicas"] = status["desiredReplicas"]?.DeepClone() ?? 0;
            foreach (var m in current.Where(m => IsCpuResource(m)))
            {
                if (JsonPath.Get(m, "resource", "current", "averageUtilization") is { } utilization)
                {
                    v1Status["currentCPUUtilizationPercentage"] = utilization.DeepClone();
                }
            }

            result["status"] = v1Status;
        }

        return result;
    }

    /// <summary>
    /// An autoscaling/v1 object as autoscaling/v2 (a new object). A round-trip annotation that is not the JSON
    /// upstream writes is a 400, as upstream's decoding error is.
    /// </summary>
    public static JsonObject ToV2(JsonObject v1)
    {
        var meta = (JsonObject?)v1["metadata"]?.DeepClone() ?? new JsonObject();
        var annotations = JsonPath.Obj(meta, "annotations");
        var spec = JsonPath.Obj(v1, "spec");
        var status = JsonPath.Obj(v1, "status");
        var v2Spec = new JsonObject { ["scaleTargetRef"] = spec?["scaleTargetRef"]?.DeepClone() ?? new JsonObject() };
        Copy(spec, v2Spec, "minReplicas");
        v2Spec["maxReplicas"] = spec?["maxReplicas"]?.DeepClone() ?? 0;
        var metrics = new JsonArray();
        if (Annotation(annotations, MetricSpecsAnnotation) is JsonArray other)
        {
            foreach (var m in other.OfType<JsonObject>())
            {
                metrics.Add(HorizontalPodAutoscalerMetrics.SpecToV2(m));
            }
        }

        if (spec?["targetCPUUtilizationPercentage"] is { } cpu)
        {
            metrics.Add(CpuMetric(cpu.DeepClone()));
        }

        if (metrics.Count == 0)
        {
            metrics.Add(CpuMetric(DefaultCpuUtilization));
        }

        v2Spec["metrics"] = metrics;
        if (Annotation(annotations, BehaviorSpecsAnnotation) is JsonObject behavior)
        {
            v2Spec["behavior"] = ExternalBehavior(behavior);
        }

        var result = new JsonObject { ["apiVersion"] = "autoscaling/v2", ["kind"] = "HorizontalPodAutoscaler", ["metadata"] = meta, ["spec"] = v2Spec };
        var currentMetrics = Annotation(annotations, MetricStatusesAnnotation) is JsonArray current
            ? new JsonArray(current.OfType<JsonObject>().Select(m => (JsonNode)HorizontalPodAutoscalerMetrics.StatusToV2(m)).ToArray())
            : status?["currentCPUUtilizationPercentage"] is { } currentCpu
                ? new JsonArray(new JsonObject
                {
                    ["type"] = "Resource",
                    ["resource"] = new JsonObject { ["name"] = "cpu", ["current"] = new JsonObject { ["averageUtilization"] = currentCpu.DeepClone() } },
                })
                : null;
        var conditions = Annotation(annotations, ConditionsAnnotation) as JsonArray;
        if (status is not null || currentMetrics is not null || conditions is not null)
        {
            var v2Status = new JsonObject();
            Copy(status, v2Status, "observedGeneration");
            Copy(status, v2Status, "lastScaleTime");
            Copy(status, v2Status, "currentReplicas");
            v2Status["desiredReplicas"] = status?["desiredReplicas"]?.DeepClone() ?? 0;
            v2Status["currentMetrics"] = currentMetrics;
            if (conditions is not null)
            {
                v2Status["conditions"] = conditions.DeepClone();
            }

            result["status"] = v2Status;
        }

        SetAnnotations(meta, DropRoundTripAnnotations(meta));
        return result;
    }

    private static JsonObject CpuMetric(JsonNode utilization) => new()
    {
        ["type"] = "Resource",
        ["resource"] = new JsonObject
        {
            ["name"] = "cpu",
            ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = utilization },
        },
    };

    private static bool IsCpuResource(JsonObject m) =>
        JsonPath.Str(m, "type") == "Resource" && JsonPath.Obj(m, "resource") is { } r && JsonPath.Str(r, "name") == "cpu";

    private static bool IsCpuUtilization(JsonObject m, string field) =>
        IsCpuResource(m) && JsonPath.Get(m, "resource", field, "averageUtilization") is not null;

    /// <summary>The annotations without the four round-trip keys (upstream <c>DropRoundTripHorizontalPodAutoscalerAnnotations</c>).</summary>
    private static JsonObject DropRoundTripAnnotations(JsonObject meta)
    {
        var copy = JsonPath.Obj(meta, "annotations")?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var key in RoundTripAnnotations)
        {
            copy.Remove(key);
        }

        return copy;
    }

    /// <summary>Sets (or, when empty, removes: Go's omitempty map) <c>metadata.annotations</c>.</summary>
    private static void SetAnnotations(JsonObject meta, JsonObject annotations)
    {
        if (annotations.Count == 0)
        {
            meta.Remove("annotations");
        }
        else
        {
            meta["annotations"] = annotations;
        }
    }

    private static JsonNode? Annotation(JsonObject? annotations, string key)
    {
        if (JsonPath.Str(annotations, key) is not { } text)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw StatusErrors.BadRequest($"annotation {key}: {e.Message}");
        }
    }

    /// <summary>Go's <c>json.Marshal</c> text: no spaces, <c>&lt; &gt; &amp;</c> escaped as <c>\u003c</c>… and nothing else.</summary>
    private static string Go(JsonNode node) =>
        node.ToJsonString(GoJson).Replace("<", "\\u003c", StringComparison.Ordinal).Replace(">", "\\u003e", StringComparison.Ordinal).Replace("&", "\\u0026", StringComparison.Ordinal);

    /// <summary>v2 behavior as the internal Go type marshals it (field names without JSON tags; nil pointers as null).</summary>
    private static JsonObject InternalBehavior(JsonObject behavior) => new()
    {
        ["ScaleUp"] = InternalRules(JsonPath.Obj(behavior, "scaleUp")),
        ["ScaleDown"] = InternalRules(JsonPath.Obj(behavior, "scaleDown")),
    };

    private static JsonObject? InternalRules(JsonObject? rules) => rules is null ? null : new JsonObject
    {
        ["StabilizationWindowSeconds"] = rules["stabilizationWindowSeconds"]?.DeepClone(),
        ["SelectPolicy"] = rules["selectPolicy"]?.DeepClone(),
        ["Policies"] = rules["policies"] is JsonArray policies
            ? new JsonArray(policies.OfType<JsonObject>().Select(p => (JsonNode)new JsonObject
            {
                ["Type"] = p["type"]?.DeepClone() ?? "",
                ["Value"] = p["value"]?.DeepClone() ?? 0,
                ["PeriodSeconds"] = p["periodSeconds"]?.DeepClone() ?? 0,
            }).ToArray())
            : null,
    };

    /// <summary>The behavior annotation as v2's <c>spec.behavior</c> (Go decodes field names case-insensitively).</summary>
    private static JsonObject ExternalBehavior(JsonObject behavior)
    {
        var result = new JsonObject();
        foreach (var (name, key) in (ReadOnlySpan<(string, string)>)[("scaleUp", "ScaleUp"), ("scaleDown", "ScaleDown")])
        {
            if (Field(behavior, key) is not JsonObject rules)
            {
                continue;
            }

            var v2 = new JsonObject();
            if (Field(rules, "StabilizationWindowSeconds") is { } window)
            {
                v2["stabilizationWindowSeconds"] = window.DeepClone();
            }

            if (Field(rules, "SelectPolicy") is { } select)
            {
                v2["selectPolicy"] = select.DeepClone();
            }

            if (Field(rules, "Policies") is JsonArray policies)
            {
                v2["policies"] = new JsonArray(policies.OfType<JsonObject>().Select(p => (JsonNode)new JsonObject
                {
                    ["type"] = Field(p, "Type")?.DeepClone() ?? "",
                    ["value"] = Field(p, "Value")?.DeepClone() ?? 0,
                    ["periodSeconds"] = Field(p, "PeriodSeconds")?.DeepClone() ?? 0,
                }).ToArray());
            }

            result[name] = v2;
        }

        return result;
    }

    private static JsonNode? Field(JsonObject o, string name) =>
        o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase) && p.Value is not null).Value;

    private static void Copy(JsonObject? from, JsonObject to, string key)
    {
        if (from?[key] is { } v)
        {
            to[key] = v.DeepClone();
        }
    }
}
