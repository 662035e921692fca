using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>Priority: class resolution, the system classes, global default, and upstream's refusals.</summary>
public sealed class PriorityAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    [Fact]
    public async Task SystemClass_ResolvesToItsValue_NoClass_IsZeroPreemptLowerPriority()
    {
        var ns = await f.NamespaceAsync("prio");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("critical", spec: new JsonObject { ["priorityClassName"] = "system-node-critical" }));
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal(2000001000, (long)body!["spec"]!["priority"]!);
        (_, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("plain"));
        Assert.Equal(0, (long)body!["spec"]!["priority"]!);
        Assert.Equal("PreemptLowerPriority", (string?)body["spec"]!["preemptionPolicy"]);
    }

    [Fact]
    public async Task UnknownClass_AndStatedPriority_Are403WithUpstreamMessages()
    {
        var ns = await f.NamespaceAsync("prio");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("p", spec: new JsonObject { ["priorityClassName"] = "nope" }));
        Assert.Equal(403, status);
        Assert.Equal("pods \"p\" is forbidden: no PriorityClass with name nope was found", (string?)body!["message"]);
        (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("q", spec: new JsonObject { ["priority"] = 7 }));
        Assert.Equal(403, status);
        Assert.Equal("pods \"q\" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name",
            (string?)body!["message"]);
    }

    [Fact]
    public async Task GlobalDefault_AppliesToPodsWithoutClass_SecondDefaultRefused()
    {
        await using var cp = await Skiff.Testing.ControlPlane.TestControlPlane.StartAsync(configure: o => o with { DisableAdmissionPlugins = ["ServiceAccount"] });
        var (status, _, _) = await cp.SendAsync(HttpMethod.Post, "/apis/scheduling.k8s.io/v1/priorityclasses",
            JsonNode.Parse("""{"metadata":{"name":"everyone"},"value":100,"globalDefault":true,"preemptionPolicy":"Never"}"""));
        Assert.Equal(201, status);
        var (s2, body, _) = await cp.SendAsync(HttpMethod.Post, "/apis/scheduling.k8s.io/v1/priorityclasses",
            JsonNode.Parse("""{"metadata":{"name":"another"},"value":5,"globalDefault":true}"""));
        Assert.Equal(403, s2);
        Assert.Equal("priorityclasses.scheduling.k8s.io \"another\" is forbidden: PriorityClass everyone is already marked as default. Only one default can exist", (string?)body!["message"]);
        (_, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", AdmissionFixture.Pod("p"));
        Assert.Equal("everyone", (string?)body!["spec"]!["priorityClassName"]);
        Assert.Equal(100, (long)body["spec"]!["priority"]!);
        Assert.Equal("Never", (string?)body["spec"]!["preemptionPolicy"]);
    }
}
