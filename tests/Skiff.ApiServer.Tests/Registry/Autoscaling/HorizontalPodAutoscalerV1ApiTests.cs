using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Autoscaling;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Autoscaling;

/// <summary>autoscaling/v1 HorizontalPodAutoscalers served beside v2 from one v2 storage: every verb, watch, discovery, OpenAPI, protobuf.</summary>
public sealed class HorizontalPodAutoscalerV1ApiTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
    private const string V2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";

    private static JsonObject V1Hpa(string name, int? cpu = 50) => new()
    {
        ["apiVersion"] = "autoscaling/v1",
        ["kind"] = "HorizontalPodAutoscaler",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = "web" },
            ["maxReplicas"] = 4,
            ["targetCPUUtilizationPercentage"] = cpu,
        },
    };

    private static JsonObject V2Hpa(string name) => JsonNode.Parse("""
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"NAME"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":6,
           "metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"256Mi"}}},
                      {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":75}}}],
           "behavior":{"scaleDown":{"stabilizationWindowSeconds":120,"selectPolicy":"Max","policies":[{"type":"Percent","value":50,"periodSeconds":30}]}}}}
        """.Replace("NAME", name, StringComparison.Ordinal))!.AsObject();

    [Fact]
    public async Task CreateInV1_IsStoredAsV2_AndReadBackInBoth()
    {
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, V1, V1Hpa("create-v1"));
        Assert.Equal(201, status);
        Assert.Equal("autoscaling/v1", created!["apiVersion"]!.GetValue<string>());
        Assert.Equal(50, created["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Equal(1, created["spec"]!["minReplicas"]!.GetValue<int>());

        var (_, v2, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{V2}/create-v1");
        Assert.Equal("autoscaling/v2", v2!["apiVersion"]!.GetValue<string>());
        var metric = Assert.Single(v2["spec"]!["metrics"]!.AsArray())!;
        Assert.Equal(50, metric["resource"]!["target"]!["averageUtilization"]!.GetValue<int>());
        Assert.Equal(created["metadata"]!["resourceVersion"]!.GetValue<string>(), v2["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Null(v2["metadata"]!["annotations"]);

        // The raw stored bytes are autoscaling/v2.
        var kv = await f.Cp.Storage.GetAsync("/registry/autoscaling/horizontalpodautoscalers/default/create-v1", 0, CancellationToken.None);
        Assert.Equal("autoscaling/v2", JsonNode.Parse(kv!.Value.Span)!["apiVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task V2OnlyFields_ShowAsAnnotationsInV1_AndSurviveAV1Update()
    {
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, V2, V2Hpa("v2-only"))).Status);

        var (_, v1, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{V1}/v2-only");
        Assert.Equal(75, v1!["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        var annotations = v1["metadata"]!["annotations"]!.AsObject();
        Assert.Equal("""[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"256Mi"}}]""",
            annotations[HorizontalPodAutoscalerConversion.MetricSpecsAnnotation]!.GetValue<string>());
        Assert.Contains("\"ScaleDown\":{\"StabilizationWindowSeconds\":120", annotations[HorizontalPodAutoscalerConversion.BehaviorSpecsAnnotation]!.GetValue<string>(), StringComparison.Ordinal);

        // A v1 client changes maxReplicas and the CPU target and sends the annotations back as it read them.
        v1["spec"]!["maxReplicas"] = 8;
        v1["spec"]!["targetCPUUtilizationPercentage"] = 60;
        var (status, updated, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{V1}/v2-only", v1);
        Assert.Equal(200, status);
        Assert.Equal(8, updated!["spec"]!["maxReplicas"]!.GetValue<int>());

        var (_, v2, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{V2}/v2-only");
        var metrics = v2!["spec"]!["metrics"]!.AsArray();
        Assert.Equal(["memory", "cpu"], metrics.Select(m => m!["resource"]!["name"]!.GetValue<string>()));
        Assert.Equal(60, metrics[1]!["resource"]!["target"]!["averageUtilization"]!.GetValue<int>());
        Assert.Equal(120, v2["spec"]!["behavior"]!["scaleDown"]!["stabilizationWindowSeconds"]!.GetValue<int>());
        Assert.Null(v2["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task Patches_MergeJsonStrategicAndApply_WorkOnV1()
    {
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, V1, V1Hpa("patched"))).Status);

        var (merge, merged, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{V1}/patched", JsonNode.Parse("""{"spec":{"maxReplicas":7}}"""), "application/merge-patch+json");
        Assert.Equal(200, merge);
        Assert.Equal(7, merged!["spec"]!["maxReplicas"]!.GetValue<int>());

        var (json, jsoned, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{V1}/patched",
            JsonNode.Parse("""[{"op":"replace","path":"/spec/targetCPUUtilizationPercentage","value":33}]"""), "application/json-patch+json");
        Assert.Equal(200, json);
        Assert.Equal(33, jsoned!["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());

        var (smp, smped, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{V1}/patched", JsonNode.Parse("""{"spec":{"minReplicas":3}}"""), "application/strategic-merge-patch+json");
        Assert.Equal(200, smp);
        Assert.Equal(3, smped!["spec"]!["minReplicas"]!.GetValue<int>());

        var config = V1Hpa("patched", 44);
        config["spec"]!["maxReplicas"] = 9;
        var (apply, applied, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{V1}/patched?fieldManager=tool&force=true", config, "application/apply-patch+yaml");
        Assert.Equal(200, apply);
        Assert.Equal(44, applied!["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Contains(applied["metadata"]!["managedFields"]!.AsArray(),
            e => e!["manager"]!.GetValue<string>() == "tool" && e["apiVersion"]!.GetValue<string>() == "autoscaling/v1");

        var (_, v2, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{V2}/patched");
        Assert.Equal(9, v2!["spec"]!["maxReplicas"]!.GetValue<int>());
        Assert.Equal(44, v2["spec"]!["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!.GetValue<int>());
    }

    [Fact]
    public async Task ListAndFieldSelector_ServeV1Items()
    {
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, V2, V2Hpa("listed"))).Status);

        var (status, list, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{V1}?fieldSelector=metadata.name%3Dlisted");

        Assert.Equal(200, status);
        Assert.Equal("HorizontalPodAutoscalerList", list!["kind"]!.GetValue<string>());
        Assert.Equal("autoscaling/v1", list["apiVersion"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal(75, item["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Null(item["spec"]!["metrics"]);
    }

    [Fact]
    public async Task Watch_ConvertsEventsPerWatcherVersion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (_, list, _) = await f.Cp.SendAsync(HttpMethod.Get, V1);
        var rv = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await using var v1Watch = await WatchStream.OpenAsync(f.Cp.Client, $"{V1}?watch=1&resourceVersion={rv}&fieldSelector=metadata.name%3Dwatched", cts.Token);
        await using var v2Watch = await WatchStream.OpenAsync(f.Cp.Client, $"{V2}?watch=1&resourceVersion={rv}&fieldSelector=metadata.name%3Dwatched", cts.Token);

        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, V2, V2Hpa("watched"))).Status);

        var e1 = await v1Watch.NextAsync(cts.Token);
        var e2 = await v2Watch.NextAsync(cts.Token);
        Assert.Equal("ADDED", e1["type"]!.GetValue<string>());
        Assert.Equal("autoscaling/v1", e1["object"]!["apiVersion"]!.GetValue<string>());
        Assert.Equal(75, e1["object"]!["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());
        Assert.Equal("autoscaling/v2", e2["object"]!["apiVersion"]!.GetValue<string>());
        Assert.Equal(2, e2["object"]!["spec"]!["metrics"]!.AsArray().Count);
    }

    [Fact]
    public async Task Discovery_ListsV1WithTheStorageVersionHashOfV2()
    {
        var (_, v1, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/autoscaling/v1");
        var (_, v2, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/autoscaling/v2");
        var (_, group, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/autoscaling");

        JsonNode Hpa(JsonNode doc) => doc["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "horizontalpodautoscalers")!;
        Assert.Equal(Hpa(v2!)["storageVersionHash"]!.GetValue<string>(), Hpa(v1!)["storageVersionHash"]!.GetValue<string>());
        Assert.Equal(["hpa"], Hpa(v1!)["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains(v1!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "horizontalpodautoscalers/status");
        Assert.Equal(["autoscaling/v2", "autoscaling/v1"], group!["versions"]!.AsArray().Select(v => v!["groupVersion"]!.GetValue<string>()));
        Assert.Equal("v2", group["preferredVersion"]!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_ServesV1Schema()
    {
        var (status, doc, _) = await f.Cp.SendAsync(HttpMethod.Get, "/openapi/v3/apis/autoscaling/v1");

        Assert.Equal(200, status);
        var spec = doc!["components"]!["schemas"]!["io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec"]!;
        Assert.NotNull(spec["properties"]!["targetCPUUtilizationPercentage"]);
    }

    [Fact]
    public async Task Protobuf_GetsTheV1Message()
    {
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, V1, V1Hpa("proto"))).Status);

        using var req = new HttpRequestMessage(HttpMethod.Get, $"{V1}/proto");
        req.Headers.TryAddWithoutValidation("Accept", "application/vnd.kubernetes.protobuf");
        using var resp = await f.Cp.Client.SendAsync(req);
        var bytes = await resp.Content.ReadAsByteArrayAsync();

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("application/vnd.kubernetes.protobuf", resp.Content.Headers.ContentType!.MediaType);
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        Assert.Contains("autoscaling/v1", text, StringComparison.Ordinal);
        Assert.Contains("HorizontalPodAutoscaler", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusAnnotations_CannotBeWrittenThroughTheMainResource()
    {
        var body = V1Hpa("status-guard");
        body["metadata"]!["annotations"] = new JsonObject
        {
            [HorizontalPodAutoscalerConversion.ConditionsAnnotation] = """[{"type":"AbleToScale","status":"True"}]""",
        };

        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, V1, body);

        Assert.Equal(201, status);
        Assert.Null(created!["metadata"]!["annotations"]);
        var (_, v2, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{V2}/status-guard");
        Assert.Null(v2!["status"]!["conditions"]);
    }
}
