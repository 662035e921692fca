using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

public sealed class HostingAndDiscoveryTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Version_Anonymous_ReportsMinor32()
    {
        using var anon = f.Cp.CreateAnonymousClient();
        var body = JsonNode.Parse(await anon.GetStringAsync("/version"))!;
        Assert.Equal("1", body["major"]!.GetValue<string>());
        Assert.Equal("32", body["minor"]!.GetValue<string>());
        Assert.StartsWith("v1.32.", body["gitVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Healthz_Verbose_ListsChecks()
    {
        using var anon = f.Cp.CreateAnonymousClient();
        Assert.Equal("ok", await anon.GetStringAsync("/healthz"));
        var verbose = await anon.GetStringAsync("/readyz?verbose");
        Assert.Contains("[+]etcd ok", verbose);
        Assert.EndsWith("readyz check passed\n", verbose);
        Assert.Equal("ok", await f.Cp.Client.GetStringAsync("/healthz/etcd"));
        Assert.Equal("ok", await f.Cp.Client.GetStringAsync("/readyz/etcd"));

        // system:public-info-viewer grants anonymous users the exact paths only, as upstream.
        Assert.Equal(HttpStatusCode.Forbidden, (await anon.GetAsync("/readyz/etcd")).StatusCode);
    }

    [Fact]
    public async Task List_Anonymous_Returns403ForSystemAnonymous()
    {
        using var anon = f.Cp.CreateAnonymousClient();
        var resp = await anon.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
        var status = JsonNode.Parse(await resp.Content.ReadAsStringAsync())!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        Assert.Equal("namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope",
            status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_UnknownToken_Returns401()
    {
        using var client = f.Cp.CreateTokenClient("nope");
        var resp = await client.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
    }

    [Fact]
    public async Task Apis_AggregatedAccept_ReturnsV2WithScaleSubresource()
    {
        var (status, body, resp) = await f.Cp.SendAsync(HttpMethod.Get, "/apis",
            accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
        Assert.Equal(200, status);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", resp.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        var apps = body!["items"]!.AsArray().Single(i => i!["metadata"]!["name"]?.GetValue<string>() == "apps")!;
        var deployments = apps["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "deployments")!;
        var scale = deployments["subresources"]!.AsArray().Single(s => s!["subresource"]!.GetValue<string>() == "scale")!;
        Assert.Equal("autoscaling", scale["responseKind"]!["group"]!.GetValue<string>());
        Assert.Equal("Namespaced", deployments["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Api_PlainAccept_ReturnsLegacyApiVersions()
    {
        var (status, body, resp) = await f.Cp.SendAsync(HttpMethod.Get, "/api", accept: "application/json");
        Assert.Equal(200, status);
        Assert.Equal("application/json", resp.Content.Headers.ContentType!.MediaType);
        Assert.Equal("APIVersions", body!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task AppsV1_LegacyResourceList_ScaleCarriesGroupAndVersion()
    {
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apps/v1");
        var scale = body!["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "deployments/scale")!;
        Assert.Equal("autoscaling", scale["group"]!.GetValue<string>());
        Assert.Equal("v1", scale["version"]!.GetValue<string>());
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownPath_Returns404Status()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/nope.io/v1/things");
        Assert.Equal(404, status);
        Assert.Equal("the server could not find the requested resource", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task SystemNamespaces_CreatedAtStart()
    {
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces");
        var names = body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("default", names);
        Assert.Contains("kube-system", names);
        Assert.Contains("kube-public", names);
        Assert.Contains("kube-node-lease", names);
    }

    [Fact]
    public void Kubeconfig_Written_WithEmbeddedCredentials()
    {
        var text = File.ReadAllText(f.Cp.KubeconfigPath);
        Assert.Contains("certificate-authority-data:", text);
        Assert.Contains("client-certificate-data:", text);
        Assert.Contains($"server: {f.Cp.Host.Url}", text);
        Assert.Contains("current-context: kubernetes-admin@skiff", text);
    }
}
