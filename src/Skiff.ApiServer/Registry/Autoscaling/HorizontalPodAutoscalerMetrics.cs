using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Autoscaling;

/// <summary>
/// The metric halves of upstream's <c>pkg/apis/autoscaling/v1/conversion.go</c>: autoscaling/v2 <c>MetricSpec</c> and
/// <c>MetricStatus</c> to the autoscaling/v1 shapes kept in the round-trip annotations and back, field by field as
/// upstream converts them (a v1 target value that is not a pointer comes back as a value even when it was absent in
/// v2, as upstream's does). Output fields are in Go's field order; absent omitempty fields are left out and absent
/// non-omitempty quantities are written as <c>"0"</c>, as Go serialises a zero <c>resource.Quantity</c>.
/// </summary>
public static class HorizontalPodAutoscalerMetrics
{
    private const string ZeroQuantity = "0";

    /// <summary>A v2 <c>MetricSpec</c> as autoscaling/v1's <c>MetricSpec</c>.</summary>
    public static JsonObject SpecToV1(JsonObject m)
    {
        var o = O(("type", C(m["type"])));
        if (JsonPath.Obj(m, "object") is { } obj)
        {
            o["object"] = O(
                ("target", Ref(JsonPath.Obj(obj, "describedObject"))),
                ("metricName", Q(JsonPath.Get(obj, "metric", "name"), "")),
                ("targetValue", Q(JsonPath.Get(obj, "target", "value"))),
                ("selector", C(JsonPath.Get(obj, "metric", "selector"))),
                ("averageValue", C(JsonPath.Get(obj, "target", "averageValue"))));
        }

        if (JsonPath.Obj(m, "pods") is { } pods)
        {
            o["pods"] = O(
                ("metricName", Q(JsonPath.Get(pods, "metric", "name"), "")),
                ("targetAverageValue", Q(JsonPath.Get(pods, "target", "averageValue"))),
                ("selector", C(JsonPath.Get(pods, "metric", "selector"))));
        }

        if (JsonPath.Obj(m, "resource") is { } resource)
        {
            o["resource"] = O(
                ("name", Q(resource["name"], "")),
                ("targetAverageUtilization", C(JsonPath.Get(resource, "target", "averageUtilization"))),
                ("targetAverageValue", C(JsonPath.Get(resource, "target", "averageValue"))));
        }

        if (JsonPath.Obj(m, "containerResource") is { } container)
        {
            o["containerResource"] = O(
                ("name", Q(container["name"], "")),
                ("targetAverageUtilization", C(JsonPath.Get(container, "target", "averageUtilization"))),
                ("targetAverageValue", C(JsonPath.Get(container, "target", "averageValue"))),
                ("container", Q(container["container"], "")));
        }

        if (JsonPath.Obj(m, "external") is { } external)
        {
            o["external"] = O(
                ("metricName", Q(JsonPath.Get(external, "metric", "name"), "")),
                ("metricSelector", C(JsonPath.Get(external, "metric", "selector"))),
                ("targetValue", C(JsonPath.Get(external, "target", "value"))),
                ("targetAverageValue", C(JsonPath.Get(external, "target", "averageValue"))));
        }

        return o;
    }

    /// <summary>An autoscaling/v1 <c>MetricSpec</c> (from the metrics annotation) as v2's.</summary>
    public static JsonObject SpecToV2(JsonObject m)
    {
        var o = O(("type", C(m["type"])));
        if (JsonPath.Obj(m, "object") is { } obj)
        {
            var average = C(obj["averageValue"]);
            o["object"] = O(
                ("describedObject", Ref(JsonPath.Obj(obj, "target"))),
                ("target", O(("type", average is null ? "Value" : "AverageValue"), ("value", Q(obj["targetValue"])), ("averageValue", average))),
                ("metric", Metric(obj["metricName"], obj["selector"])));
        }

        if (JsonPath.Obj(m, "pods") is { } pods)
        {
            o["pods"] = O(
                ("metric", Metric(pods["metricName"], pods["selector"])),
                ("target", O(("type", "AverageValue"), ("averageValue", Q(pods["targetAverageValue"])))));
        }

        if (JsonPath.Obj(m, "resource") is { } resource)
        {
            o["resource"] = O(("name", Q(resource["name"], "")), ("target", ResourceTarget(resource)));
        }

        if (JsonPath.Obj(m, "containerResource") is { } container)
        {
            o["containerResource"] = O(("name", Q(container["name"], "")), ("target", ResourceTarget(container)), ("container", Q(container["container"], "")));
        }

        if (JsonPath.Obj(m, "external") is { } external)
        {
            var value = C(external["targetValue"]);
            o["external"] = O(
                ("metric", Metric(external["metricName"], external["metricSelector"])),
                ("target", O(("type", value is null ? "AverageValue" : "Value"), ("value", value), ("averageValue", C(external["targetAverageValue"])))));
        }

        return o;
    }

    /// <summary>A v2 <c>MetricStatus</c> as autoscaling/v1's <c>MetricStatus</c>.</summary>
    public static JsonObject StatusToV1(JsonObject m)
    {
        var o = O(("type", C(m["type"])));
        if (JsonPath.Obj(m, "object") is { } obj)
        {
            o["object"] = O(
                ("target", Ref(JsonPath.Obj(obj, "describedObject"))),
                ("metricName", Q(JsonPath.Get(obj, "metric", "name"), "")),
                ("currentValue", Q(JsonPath.Get(obj, "current", "value"))),
                ("selector", C(JsonPath.Get(obj, "metric", "selector"))),
                ("averageValue", C(JsonPath.Get(obj, "current", "averageValue"))));
        }

        if (JsonPath.Obj(m, "pods") is { } pods)
        {
            o["pods"] = O(
                ("metricName", Q(JsonPath.Get(pods, "metric", "name"), "")),
                ("currentAverageValue", Q(JsonPath.Get(pods, "current", "averageValue"))),
                ("selector", C(JsonPath.Get(pods, "metric", "selector"))));
        }

        if (JsonPath.Obj(m, "resource") is { } resource)
        {
            o["resource"] = O(
                ("name", Q(resource["name"], "")),
                ("currentAverageUtilization", C(JsonPath.Get(resource, "current", "averageUtilization"))),
                ("currentAverageValue", Q(JsonPath.Get(resource, "current", "averageValue"))));
        }

        if (JsonPath.Obj(m, "containerResource") is { } container)
        {
            o["containerResource"] = O(
                ("name", Q(container["name"], "")),
                ("currentAverageUtilization", C(JsonPath.Get(container, "current", "averageUtilization"))),
                ("currentAverageValue", Q(JsonPath.Get(container, "current", "averageValue"))),
                ("container", Q(container["container"], "")));
        }

        if (JsonPath.Obj(m, "external") is { } external)
        {
            o["external"] = O(
                ("metricName", Q(JsonPath.Get(external, "metric", "name"), "")),
                ("metricSelector", C(JsonPath.Get(external, "metric", "selector"))),
                ("currentValue", Q(JsonPath.Get(external, "current", "value"))),
                ("currentAverageValue", C(JsonPath.Get(external, "current", "averageValue"))));
        }

        return o;
    }

    /// <summary>An autoscaling/v1 <c>MetricStatus</c> (from the current-metrics annotation) as v2's.</summary>
    public static JsonObject StatusToV2(JsonObject m)
    {
        var o = O(("type", C(m["type"])));
        if (JsonPath.Obj(m, "object") is { } obj)
        {
            o["object"] = O(
                ("metric", Metric(obj["metricName"], obj["selector"])),
                ("current", O(("value", Q(obj["currentValue"])), ("averageValue", C(obj["averageValue"])))),
                ("describedObject", Ref(JsonPath.Obj(obj, "target"))));
        }

        if (JsonPath.Obj(m, "pods") is { } pods)
        {
            o["pods"] = O(("metric", Metric(pods["metricName"], pods["selector"])), ("current", O(("averageValue", Q(pods["currentAverageValue"])))));
        }

        if (JsonPath.Obj(m, "resource") is { } resource)
        {
            o["resource"] = O(("name", Q(resource["name"], "")), ("current", ResourceCurrent(resource)));
        }

        if (JsonPath.Obj(m, "containerResource") is { } container)
        {
            o["containerResource"] = O(("name", Q(container["name"], "")), ("current", ResourceCurrent(container)), ("container", Q(container["container"], "")));
        }

        if (JsonPath.Obj(m, "external") is { } external)
        {
            o["external"] = O(
                ("metric", Metric(external["metricName"], external["metricSelector"])),
                ("current", O(("value", Q(external["currentValue"])), ("averageValue", C(external["currentAverageValue"])))));
        }

        return o;
    }

    private static JsonObject ResourceTarget(JsonObject v1)
    {
        var utilization = C(v1["targetAverageUtilization"]);
        return O(("type", utilization is null ? "AverageValue" : "Utilization"), ("averageValue", C(v1["targetAverageValue"])), ("averageUtilization", utilization));
    }

    private static JsonObject ResourceCurrent(JsonObject v1) =>
        O(("averageValue", Q(v1["currentAverageValue"])), ("averageUtilization", C(v1["currentAverageUtilization"])));

    private static JsonObject Metric(JsonNode? name, JsonNode? selector) => O(("name", Q(name, "")), ("selector", C(selector)));

    /// <summary>A <c>CrossVersionObjectReference</c> (kind, name, apiVersion omitempty), the same in both versions.</summary>
    private static JsonObject Ref(JsonObject? r) =>
        O(("kind", Q(r?["kind"], "")), ("name", Q(r?["name"], "")), ("apiVersion", JsonPath.Str(r, "apiVersion") is { Length: > 0 } v ? v : null));

    private static JsonNode? C(JsonNode? n) => n?.DeepClone();

    /// <summary>A non-omitempty field: the value, or Go's zero for it.</summary>
    private static JsonNode Q(JsonNode? n, string zero = ZeroQuantity) => n?.DeepClone() ?? JsonValue.Create(zero);

    private static JsonObject O(params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (k, v) in fields)
        {
            if (v is not null)
            {
                o[k] = v;
            }
        }

        return o;
    }
}
