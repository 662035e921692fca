using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Autoscaling;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Autoscaling;

/// <summary>autoscaling/v1 ⇄ v2 conversion: upstream's conversion test cases and round trips through the annotations.</summary>
public sealed class HorizontalPodAutoscalerConversionTests
{
    private static JsonObject V2(string spec, string? status = null, string? annotations = null) => JsonNode.Parse(
        "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"resourceVersion\":\"7\""
        + (annotations is null ? "" : ",\"annotations\":" + annotations) + "},\"spec\":" + R(spec) + (status is null ? "" : ",\"status\":" + status) + "}")!.AsObject();

    private static string R(string json) => json.Replace("REF", Ref, StringComparison.Ordinal);

    private const string Ref = """{"kind":"Deployment","name":"web","apiVersion":"apps/v1"}""";

    [Fact]
    public void CpuUtilizationOnly_BecomesTargetCpuUtilizationPercentage_WithoutAnnotations()
    {
        var v2 = V2("""{"scaleTargetRef":REF,"minReplicas":1,"maxReplicas":3,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}}]}""");

        var v1 = HorizontalPodAutoscalerConversion.ToV1(v2);

        Assert.Equal("autoscaling/v1", v1["apiVersion"]!.GetValue<string>());
        Assert.Equal(60, v1["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Equal(3, v1["spec"]!["maxReplicas"]!.GetValue<int>());
        Assert.Null(v1["metadata"]!["annotations"]);
        Assert.Equal("7", v1["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(v2, HorizontalPodAutoscalerConversion.ToV2(v1)), HorizontalPodAutoscalerConversion.ToV2(v1).ToJsonString());
    }

    [Fact]
    public void CpuAverageValueAndUtilizationBoth_TakesTheUtilization_AndKeepsTheAverageValueInTheAnnotation()
    {
        // upstream TestConversionWithCPUAverageValueAndUtilizationBoth1 (kubernetes#101370).
        var v2 = V2("""
            {"scaleTargetRef":REF,"minReplicas":1,"maxReplicas":3,"metrics":[
            {"type":"Resource","resource":{"name":"cpu","target":{"type":"AverageValue","averageValue":"300m"}}},
            {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]}
            """);

        var v1 = HorizontalPodAutoscalerConversion.ToV1(v2);

        Assert.Equal(70, v1["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Equal("""[{"type":"Resource","resource":{"name":"cpu","targetAverageValue":"300m"}}]""",
            v1["metadata"]!["annotations"]![HorizontalPodAutoscalerConversion.MetricSpecsAnnotation]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(v2, HorizontalPodAutoscalerConversion.ToV2(v1)));
    }

    [Fact]
    public void V1WithoutTarget_GetsTheImplicitEightyPercentCpuTarget()
    {
        var v1 = JsonNode.Parse(R("""{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},"spec":{"scaleTargetRef":REF,"maxReplicas":3}}"""))!.AsObject();

        var v2 = HorizontalPodAutoscalerConversion.ToV2(v1);

        var metric = Assert.Single(v2["spec"]!["metrics"]!.AsArray())!;
        Assert.Equal("cpu", metric["resource"]!["name"]!.GetValue<string>());
        Assert.Equal("Utilization", metric["resource"]!["target"]!["type"]!.GetValue<string>());
        Assert.Equal(80, metric["resource"]!["target"]!["averageUtilization"]!.GetValue<int>());
        Assert.Null(v2["status"]);
    }

    [Fact]
    public void EveryV2Field_RoundTripsThroughV1Annotations()
    {
        // Every metric source, behavior, current metrics and conditions; the cpu target last, where upstream puts it back.
        var v2 = V2(
            """
            {"scaleTargetRef":REF,"minReplicas":2,"maxReplicas":9,"metrics":[
              {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"512Mi"}}},
              {"type":"Pods","pods":{"metric":{"name":"qps","selector":{"matchLabels":{"a":"b"}}},"target":{"type":"AverageValue","averageValue":"10"}}},
              {"type":"Object","object":{"describedObject":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"target":{"type":"Value","value":"2k"},"metric":{"name":"requests"}}},
              {"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"AverageValue","averageValue":"30"}}},
              {"type":"ContainerResource","containerResource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50},"container":"app"}},
              {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":65}}}],
             "behavior":{"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15}]},
                         "scaleDown":{"stabilizationWindowSeconds":300,"selectPolicy":"Min","policies":[{"type":"Percent","value":100,"periodSeconds":15}]}}}
            """,
            """
            {"observedGeneration":3,"lastScaleTime":"2026-01-02T03:04:05Z","currentReplicas":4,"desiredReplicas":5,"currentMetrics":[
              {"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"120m","averageUtilization":40}}},
              {"type":"Pods","pods":{"metric":{"name":"qps"},"current":{"averageValue":"9"}}},
              {"type":"External","external":{"metric":{"name":"queue"},"current":{"value":"0","averageValue":"25"}}}],
             "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-02T03:04:05Z","reason":"ReadyForNewScale","message":"ok"}]}
            """,
            """{"team":"a"}""");

        var v1 = HorizontalPodAutoscalerConversion.ToV1(v2);
        var annotations = v1["metadata"]!["annotations"]!.AsObject();

        Assert.Equal(65, v1["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Equal(40, v1["status"]!["currentCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Equal(4, v1["status"]!["currentReplicas"]!.GetValue<int>());
        Assert.Equal("a", annotations["team"]!.GetValue<string>());
        Assert.Equal(
            """{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}]},"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":"Min","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}""",
            annotations[HorizontalPodAutoscalerConversion.BehaviorSpecsAnnotation]!.GetValue<string>());
        Assert.Contains("""{"type":"Object","object":{"target":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"metricName":"requests","targetValue":"2k"}}""",
            annotations[HorizontalPodAutoscalerConversion.MetricSpecsAnnotation]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("""{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"120m"}}""",
            annotations[HorizontalPodAutoscalerConversion.MetricStatusesAnnotation]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(annotations[HorizontalPodAutoscalerConversion.ConditionsAnnotation]);

        var back = HorizontalPodAutoscalerConversion.ToV2(v1);
        Assert.True(JsonNode.DeepEquals(v2, back), back.ToJsonString());
    }

    [Fact]
    public void RoundTripAnnotationsOfTheStoredObject_AreNeverServedStale()
    {
        // A v2 object that somehow carries a round-trip annotation: v1 shows only what the conversion produced.
        var v2 = V2("""{"scaleTargetRef":REF,"maxReplicas":3,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}}]}""",
            annotations: """{"autoscaling.alpha.kubernetes.io/metrics":"[]","autoscaling.alpha.kubernetes.io/conditions":"garbage"}""");

        var v1 = HorizontalPodAutoscalerConversion.ToV1(v2);

        Assert.Null(v1["metadata"]!["annotations"]);
    }

    [Fact]
    public void MalformedAnnotation_IsABadRequest()
    {
        var v1 = JsonNode.Parse(R("""{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","annotations":{"autoscaling.alpha.kubernetes.io/metrics":"{nope"}},"spec":{"scaleTargetRef":REF,"maxReplicas":3}}"""))!.AsObject();

        var e = Assert.Throws<Skiff.Api.Errors.StatusException>(() => HorizontalPodAutoscalerConversion.ToV2(v1));

        Assert.Equal(400, e.Code);
    }
}
