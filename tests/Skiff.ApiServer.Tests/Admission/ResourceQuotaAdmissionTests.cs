using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>ResourceQuota admission: status unknown, exceeded quota (upstream's message), atomic charging, dry run.</summary>
public sealed class ResourceQuotaAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    /// <summary>A namespace with a quota whose status is computed (as the controller would) with zero usage.</summary>
    private async Task<string> NamespaceWithQuotaAsync(string hard, bool withStatus = true)
    {
        var ns = await f.NamespaceAsync("rq");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/resourcequotas",
            JsonNode.Parse("{\"metadata\":{\"name\":\"q\"},\"spec\":{\"hard\":" + hard + "}}"));
        Assert.True(status == 201, body?.ToJsonString());
        if (withStatus)
        {
            var used = new JsonObject();
            foreach (var (k, _) in body!["spec"]!["hard"]!.AsObject())
            {
                used[k] = "0";
            }

            body["status"] = new JsonObject { ["hard"] = body["spec"]!["hard"]!.DeepClone(), ["used"] = used };
            (status, body, _) = await f.Cp.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/resourcequotas/q/status", body);
            Assert.True(status == 200, body?.ToJsonString());
        }

        return ns;
    }

    [Fact]
    public async Task QuotaWithoutStatus_RefusesWithStatusUnknown()
    {
        var ns = await NamespaceWithQuotaAsync("""{"configmaps":"1"}""", withStatus: false);
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", JsonNode.Parse("""{"metadata":{"name":"a"}}"""));
        Assert.Equal(403, status);
        Assert.Equal("configmaps \"a\" is forbidden: status unknown for quota: q, resources: configmaps", (string?)body!["message"]);
    }

    [Fact]
    public async Task SecondConfigMap_ExceedsQuota_WithUpstreamMessage_UsageCharged()
    {
        var ns = await NamespaceWithQuotaAsync("""{"configmaps":"1"}""");
        var (dry, _, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps?dryRun=All", JsonNode.Parse("""{"metadata":{"name":"a"}}"""));
        Assert.Equal(201, dry);
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", JsonNode.Parse("""{"metadata":{"name":"a"}}"""));
        Assert.Equal(201, status);
        var (_, quota, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/resourcequotas/q");
        Assert.Equal("1", (string?)quota!["status"]!["used"]!["configmaps"]);
        var (s2, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", JsonNode.Parse("""{"metadata":{"name":"b"}}"""));
        Assert.Equal(403, s2);
        Assert.Equal("configmaps \"b\" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1", (string?)body!["message"]);
    }

    [Fact]
    public async Task ConcurrentCreates_NeverOvershootTheQuota()
    {
        var ns = await NamespaceWithQuotaAsync("""{"count/secrets":"3"}""");
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/secrets", JsonNode.Parse("{\"metadata\":{\"name\":\"s" + i + "\"}}"))));
        Assert.Equal(3, results.Count(r => r.Status == 201));
        Assert.All(results.Where(r => r.Status != 201), r => Assert.Equal(403, r.Status));
    }

    [Fact]
    public async Task PodCompute_MustSpecify_ThenExceeded()
    {
        var ns = await NamespaceWithQuotaAsync("""{"requests.cpu":"1","pods":"5"}""");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("bare"));
        Assert.Equal(403, status);
        Assert.Equal("pods \"bare\" is forbidden: failed quota: q: must specify requests.cpu", (string?)body!["message"]);
        var big = JsonNode.Parse("""{"resources":{"requests":{"cpu":"1500m"}}}""")!.AsObject();
        (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("big", big));
        Assert.Equal(403, status);
        Assert.Equal("pods \"big\" is forbidden: exceeded quota: q, requested: requests.cpu=1500m, used: requests.cpu=0, limited: requests.cpu=1", (string?)body!["message"]);
    }

    [Fact]
    public async Task RealKubectl_QuotaExceededCreate()
    {
        var ns = await NamespaceWithQuotaAsync("""{"configmaps":"0"}""");
        var (exit, _, err) = await new Kubectl(f.Cp.KubeconfigPath).RunAsync(["create", "configmap", "x", "-n", ns, "--from-literal=a=b"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("error: failed to create configmap: configmaps \"x\" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=0, limited: configmaps=0", err, StringComparison.Ordinal);
    }
}
