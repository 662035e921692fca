using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>LimitRanger: container defaults with upstream's annotation, and min/max/ratio refusals.</summary>
public sealed class LimitRangerAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    private async Task<string> NamespaceWithLimitsAsync(string limits)
    {
        var ns = await f.NamespaceAsync("lr");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/limitranges",
            JsonNode.Parse("{\"metadata\":{\"name\":\"limits\"},\"spec\":{\"limits\":" + limits + "}}"));
        Assert.True(status == 201, body?.ToJsonString());
        return ns;
    }

    [Fact]
    public async Task Defaults_AppliedToContainers_WithUpstreamAnnotation()
    {
        var ns = await NamespaceWithLimitsAsync("""[{"type":"Container","default":{"cpu":"500m","memory":"128Mi"},"defaultRequest":{"cpu":"100m"}}]""");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("p"));
        Assert.True(status == 201, body?.ToJsonString());
        var resources = body!["spec"]!["containers"]![0]!["resources"]!;
        Assert.Equal("500m", (string?)resources["limits"]!["cpu"]);
        Assert.Equal("128Mi", (string?)resources["limits"]!["memory"]);
        Assert.Equal("100m", (string?)resources["requests"]!["cpu"]);
        Assert.Equal("128Mi", (string?)resources["requests"]!["memory"]);
        Assert.Equal("LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c",
            (string?)body["metadata"]!["annotations"]!["kubernetes.io/limit-ranger"]);
        Assert.Equal("Burstable", (string?)body["status"]!["qosClass"]);
    }

    [Fact]
    public async Task OverMax_AndRatio_Are403WithUpstreamMessages()
    {
        var ns = await NamespaceWithLimitsAsync("""[{"type":"Container","max":{"cpu":"1"},"maxLimitRequestRatio":{"memory":"2"}}]""");
        var container = JsonNode.Parse("""{"resources":{"limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"1","memory":"256Mi"}}}""")!.AsObject();
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("p", container));
        Assert.Equal(403, status);
        Assert.Equal("pods \"p\" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, memory max limit to request ratio per Container is 2, but provided ratio is 4.000000]",
            (string?)body!["message"]);
    }

    [Fact]
    public async Task PersistentVolumeClaim_UnderMin_Is403()
    {
        var ns = await NamespaceWithLimitsAsync("""[{"type":"PersistentVolumeClaim","min":{"storage":"1Gi"}}]""");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/persistentvolumeclaims", JsonNode.Parse("""
            {"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"100Mi"}}}}
            """));
        Assert.Equal(403, status);
        Assert.Equal("persistentvolumeclaims \"c\" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 100Mi", (string?)body!["message"]);
    }
}
