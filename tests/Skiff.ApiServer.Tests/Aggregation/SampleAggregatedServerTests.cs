using System.Text.Json.Nodes;
using Skiff.Examples.AggregatedApiServer;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Aggregation;

/// <summary>
/// The sample aggregated server of <c>examples/AggregatedApiServer</c> behind an in-process API server, driven by the
/// real kubectl: its APIService becomes Available, <c>kubectl create/get flunders</c> go through the aggregator's proxy
/// (the sample sees the user in X-Remote-User, authenticated by the front-proxy certificate it trusts through the
/// extension-apiserver-authentication ConfigMap), <c>kubectl api-resources</c> lists flunders, and when the backend
/// stops the APIService turns Available=False and its group leaves discovery.
/// </summary>
public sealed class SampleAggregatedServerTests
{
    private const string Flunder = """
        apiVersion: wardle.example.com/v1alpha1
        kind: Flunder
        metadata:
          name: my-flunder
          namespace: wardle
        spec:
          reference: something
        """;

    [Fact]
    public async Task KubectlReachesTheSampleThroughTheAggregator_AndAvailabilityFollowsTheBackend()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with { ApiServiceCheckInterval = TimeSpan.FromMilliseconds(300) });
        var kubectl = new Kubectl(cp.KubeconfigPath);
        var cm = await cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication");
        var data = cm.Body!["data"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        using var serving = ServingCertificate.Create("api", "wardle");
        var server = new WardleServer(serving.Certificate, FrontProxyAuthentication.FromData(data));
        await using (server)
        {
            await server.StartAsync(0, default);
            var (exit, _, err) = await kubectl.RunAsync(["apply", "-f", "-"], Registration.Yaml("wardle", "api", server.Port, serving.CaPem));
            Assert.True(exit == 0, err);
            await kubectl.OkAsync("wait", "--for=condition=Available", "apiservice/v1alpha1.wardle.example.com", "--timeout=30s");
            Assert.Matches("v1alpha1\\.wardle\\.example\\.com +wardle/api +True", await kubectl.OkAsync("get", "apiservice", "v1alpha1.wardle.example.com"));

            (exit, var created, err) = await kubectl.RunAsync(["create", "-f", "-"], Flunder);
            Assert.True(exit == 0, err);
            Assert.Contains("flunder.wardle.example.com/my-flunder created", created, StringComparison.Ordinal);
            var table = await kubectl.OkAsync("get", "flunders", "-n", "wardle");
            Assert.Matches("(?m)^NAME +AGE\n?", table);
            Assert.Matches("(?m)^my-flunder +", table);
            Assert.Equal("kubernetes-admin", await kubectl.OkAsync("get", "fl", "my-flunder", "-n", "wardle", "-o", "jsonpath={.metadata.annotations.wardle\\.example\\.com/created-by}"));
            // One X-Remote-Group line per group (a comma-joined line would read as one group "system:masters, system:authenticated").
            Assert.Equal("system:masters,system:authenticated", await kubectl.OkAsync("get", "fl", "my-flunder", "-n", "wardle", "-o", "jsonpath={.metadata.annotations.wardle\\.example\\.com/created-by-groups}"));
            Assert.Matches("(?m)^flunders +fl +wardle\\.example\\.com/v1alpha1 +true +Flunder", await kubectl.OkAsync("api-resources", "--api-group=wardle.example.com"));

            var groups = await cp.SendAsync(HttpMethod.Get, "/apis");
            Assert.Contains(groups.Body!["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == WardleServer.Group);
            var group = await cp.SendAsync(HttpMethod.Get, "/apis/wardle.example.com");
            Assert.Equal("wardle.example.com/v1alpha1", group.Body!["preferredVersion"]!["groupVersion"]!.GetValue<string>());
        }

        // The backend is gone: the next check fails discovery, and the group leaves /apis.
        await kubectl.OkAsync("wait", "--for=condition=Available=False", "apiservice/v1alpha1.wardle.example.com", "--timeout=30s");
        var apiService = await cp.SendAsync(HttpMethod.Get, "/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.wardle.example.com");
        var condition = apiService.Body!["status"]!["conditions"]![0]!;
        Assert.Equal("FailedDiscoveryCheck", condition["reason"]!.GetValue<string>());
        Assert.StartsWith("failing or missing response from https://localhost:", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var after = await cp.SendAsync(HttpMethod.Get, "/apis");
        Assert.DoesNotContain(after.Body!["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == WardleServer.Group);
        using var unavailable = await cp.Client.GetAsync("/apis/wardle.example.com/v1alpha1/namespaces/wardle/flunders");
        Assert.Equal(503, (int)unavailable.StatusCode);
    }

    [Fact]
    public async Task BackendWithACertificateOutsideTheCaBundle_FailsTheDiscoveryCheck()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with { ApiServiceCheckInterval = TimeSpan.FromMilliseconds(300) });
        var kubectl = new Kubectl(cp.KubeconfigPath);
        using var serving = ServingCertificate.Create("api", "wardle");
        using var other = ServingCertificate.Create("api", "wardle");
        await using var server = new WardleServer(serving.Certificate, FrontProxyAuthentication.FromData(new Dictionary<string, string>()));
        await server.StartAsync(0, default);
        var (exit, _, err) = await kubectl.RunAsync(["apply", "-f", "-"], Registration.Yaml("wardle", "api", server.Port, other.CaPem));
        Assert.True(exit == 0, err);
        await kubectl.OkAsync("wait", "--for=condition=Available=False", "apiservice/v1alpha1.wardle.example.com", "--timeout=30s");
        var apiService = await cp.SendAsync(HttpMethod.Get, "/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.wardle.example.com");
        Assert.Equal("FailedDiscoveryCheck", apiService.Body!["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task SampleRefusesCallersWithoutTheFrontProxyCertificate()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var cm = await cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication");
        var data = cm.Body!["data"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        using var serving = ServingCertificate.Create("api", "wardle");
        await using var server = new WardleServer(serving.Certificate, FrontProxyAuthentication.FromData(data));
        await server.StartAsync(0, default);

        // The cluster admin's certificate is not the front-proxy's: stating a user in headers gets 401.
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [cp.Host.Certificates.Admin];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{server.Port}/apis/wardle.example.com/v1alpha1");
        request.Headers.Add("X-Remote-User", "mallory");
        using var response = await client.SendAsync(request);
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("Unauthorized", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>());
    }
}
