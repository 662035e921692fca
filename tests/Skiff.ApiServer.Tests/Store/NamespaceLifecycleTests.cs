using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Store;

/// <summary>Upstream's NamespaceLifecycle admission: immortal namespaces, and no new content in a terminating one.</summary>
public sealed class NamespaceLifecycleTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Theory]
    [InlineData("default")]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    public async Task Delete_ImmortalNamespace_Returns403(string name)
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{name}");
        Assert.Equal(403, status);
        Assert.Equal("Forbidden", body!["reason"]!.GetValue<string>());
        Assert.Equal($"namespaces \"{name}\" is forbidden: this namespace may not be deleted", body["message"]!.GetValue<string>());
        Assert.Null((await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{name}")).Body!["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task Create_InTerminatingNamespace_Returns403WithCause()
    {
        await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces", JsonNode.Parse("""{"metadata":{"name":"lc-term"}}"""));
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/lc-term")).Status);
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/lc-term/configmaps", JsonNode.Parse("""{"metadata":{"name":"x"}}"""));
        Assert.Equal(403, status);
        Assert.Equal("configmaps \"x\" is forbidden: unable to create new content in namespace lc-term because it is being terminated", body!["message"]!.GetValue<string>());
        Assert.Equal("NamespaceTerminating", body["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
    }
}
