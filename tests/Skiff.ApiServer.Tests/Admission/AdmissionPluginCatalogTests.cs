using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>The plugin catalogue: upstream's order and defaults, the flags' errors, and AlwaysDeny end to end.</summary>
public sealed class AdmissionPluginCatalogTests
{
    [Fact]
    public void Defaults_InUpstreamOrder_MutatingBeforeQuota()
    {
        var names = AdmissionPluginCatalog.Resolve([], []);
        Assert.Equal("NamespaceLifecycle", names[0]);
        Assert.Equal("ResourceQuota", names[^1]);
        Assert.True(names.ToList().IndexOf("LimitRanger") < names.ToList().IndexOf("ServiceAccount"));
        Assert.True(names.ToList().IndexOf("PodSecurity") < names.ToList().IndexOf("Priority"));
        Assert.DoesNotContain("AlwaysDeny", names);
        Assert.DoesNotContain("NodeRestriction", names);
    }

    [Theory]
    [InlineData("Nope", "", "enable-admission-plugins plugin \"Nope\" is unknown")]
    [InlineData("", "Nope", "disable-admission-plugins plugin \"Nope\" is unknown")]
    [InlineData("AlwaysDeny", "AlwaysDeny", "AlwaysDeny in enable-admission-plugins and disable-admission-plugins overlapped")]
    public void BadFlags_UpstreamErrors(string enable, string disable, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => AdmissionPluginCatalog.Resolve([enable], [disable]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task AlwaysDeny_RefusesWrites_ReadsStillWork()
    {
        await using var cp = await Skiff.Testing.ControlPlane.TestControlPlane.StartAsync(configure: o => o with { EnableAdmissionPlugins = ["AlwaysDeny"] });
        var (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", JsonNode.Parse("""{"metadata":{"name":"x"}}"""));
        Assert.Equal(403, status);
        Assert.Equal("configmaps \"x\" is forbidden: admission control is denying all modifications", (string?)body!["message"]);
        Assert.Equal(200, (await cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps")).Status);
    }
}
