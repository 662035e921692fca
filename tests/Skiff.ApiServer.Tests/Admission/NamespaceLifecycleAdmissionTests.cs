using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>NamespaceLifecycle as an admission plugin: missing namespaces, and it can be turned off.</summary>
public sealed class NamespaceLifecycleAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    [Fact]
    public async Task Create_InMissingNamespace_Is404NamespaceNotFound_NothingStored()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/nope-ns/configmaps", JsonNode.Parse("""{"metadata":{"name":"x"}}"""));
        Assert.Equal(404, status);
        Assert.Equal("namespaces \"nope-ns\" not found", (string?)body!["message"]);
        Assert.Null(await f.Cp.Storage.GetAsync("/registry/configmaps/nope-ns/x", 0, default));
    }

    [Fact]
    public async Task Disabled_CreateInMissingNamespace_IsAllowed_AsUpstream()
    {
        await using var cp = await Skiff.Testing.ControlPlane.TestControlPlane.StartAsync(configure: o => o with { DisableAdmissionPlugins = ["NamespaceLifecycle"] });
        var (status, _, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/nope-ns/configmaps", JsonNode.Parse("""{"metadata":{"name":"x"}}"""));
        Assert.Equal(201, status);
    }
}
