using System.Text;
using System.Text.Json.Nodes;
using Skiff.Storage.Memory;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>Start-up work: service allocator repair and the <c>default/kubernetes</c> Service.</summary>
public sealed class ClusterBootstrapTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Start_CreatesKubernetesServiceEndpointsAndSlice()
    {
        var port = f.Cp.Host.Port;
        var (status, svc, _) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");
        Assert.Equal(200, status);
        Assert.Equal("10.0.0.1", svc!["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.Equal("ClusterIP", svc["spec"]!["type"]!.GetValue<string>());
        var p = svc["spec"]!["ports"]![0]!;
        Assert.Equal("https", p["name"]!.GetValue<string>());
        Assert.Equal(443, p["port"]!.GetValue<int>());
        Assert.Equal(port, p["targetPort"]!.GetValue<int>());
        Assert.Equal("apiserver", svc["metadata"]!["labels"]!["component"]!.GetValue<string>());

        var (epStatus, ep, _) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/endpoints/kubernetes");
        Assert.Equal(200, epStatus);
        Assert.Equal("127.0.0.1", ep!["subsets"]![0]!["addresses"]![0]!["ip"]!.GetValue<string>());
        Assert.Equal(port, ep["subsets"]![0]!["ports"]![0]!["port"]!.GetValue<int>());

        var (sliceStatus, slice, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes");
        Assert.Equal(200, sliceStatus);
        Assert.Equal("127.0.0.1", slice!["endpoints"]![0]!["addresses"]![0]!.GetValue<string>());
        Assert.Equal("kubernetes", slice["metadata"]!["labels"]!["kubernetes.io/service-name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Start_RepairsAllocationsOfStoredServicesAndReusesKubernetesService()
    {
        await using var storage = new MemoryStorage();

        // A service written behind the allocators' back (as after a restore): the repair must mark its IP and port.
        var stray = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"stray","namespace":"default","uid":"u1","creationTimestamp":"2025-01-01T00:00:00Z"},"spec":{"type":"NodePort","clusterIP":"10.0.0.77","clusterIPs":["10.0.0.77"],"ports":[{"port":80,"protocol":"TCP","targetPort":80,"nodePort":30777}]}}""";
        await storage.CreateAsync("/registry/services/default/stray", Encoding.UTF8.GetBytes(stray), default);

        string firstUid;
        await using (var first = await TestControlPlane.StartAsync(storage: storage))
        {
            var body = JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"dup"},"spec":{"clusterIP":"10.0.0.77","ports":[{"port":80}]}}""");
            var (status, err, _) = await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", body);
            Assert.Equal(422, status);
            Assert.Contains("provided IP is already allocated", err!["message"]!.GetValue<string>());

            var port = JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"dup2"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30777}]}}""");
            var (portStatus, _, _) = await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", port);
            Assert.Equal(422, portStatus);

            var (_, svc, _) = await first.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");
            firstUid = svc!["metadata"]!["uid"]!.GetValue<string>();
        }

        // A second start on the same store keeps the service and corrects its target port to the new port.
        await using var second = await TestControlPlane.StartAsync(storage: storage);
        var (_, again, _) = await second.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");
        Assert.Equal(firstUid, again!["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(second.Host.Port, again["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());
        var (_, ep, _) = await second.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/endpoints/kubernetes");
        Assert.Equal(second.Host.Port, ep!["subsets"]![0]!["ports"]![0]!["port"]!.GetValue<int>());
    }
}
