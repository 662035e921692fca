using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Skiff.ApiServer.Registry;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints.Subresources;

/// <summary>
/// The subresource seam's contract: every served subresource (built-in or a custom resource's status/scale) and every
/// virtual resource has a handler serving at least its route's verbs; unknown subresources and verbs are upstream's
/// 404 and 405 Status objects.
/// </summary>
public sealed class SubresourceConformanceTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    public static TheoryData<string> BuiltInSubresources()
    {
        var data = new TheoryData<string>();
        foreach (var d in BuiltInResources.Create(new BuiltInResourceOptions()))
        {
            foreach (var s in d.Subresources)
            {
                data.Add($"{d.GroupVersion}/{d.Resource}/{s.Name}");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BuiltInSubresources))]
    public void BuiltInSubresource_HasAHandlerServingItsVerbs(string path)
    {
        var d = BuiltInResources.Create(new BuiltInResourceOptions()).Single(x => path.StartsWith($"{x.GroupVersion}/{x.Resource}/", StringComparison.Ordinal));
        var sub = d.Subresources.Single(s => path == $"{d.GroupVersion}/{d.Resource}/{s.Name}");
        Assert.NotNull(sub.Handler);
        Assert.All(sub.Verbs, v => Assert.Contains(v, sub.Handler!.Verbs));
    }

    [Fact]
    public void VirtualResources_HaveAHandler_StoredOnesDoNot()
    {
        foreach (var d in BuiltInResources.Create(new BuiltInResourceOptions()))
        {
            if (!d.Stored && d.Verbs.SequenceEqual(["create"]))
            {
                Assert.True(d.Handler is not null, $"{d.GroupVersion}/{d.Resource} is virtual and has no handler");
                Assert.Contains("create", d.Handler!.Verbs);
            }
            else
            {
                Assert.True(d.Handler is null, $"{d.GroupVersion}/{d.Resource} is stored yet has a handler");
            }
        }
    }

    [Fact]
    public void CustomResource_StatusAndScale_HaveHandlers()
    {
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
               "versions":[{"name":"v1","served":true,"storage":true,
                 "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
                 "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}}}]},
             "status":{"acceptedNames":{"plural":"widgets","singular":"widget","kind":"Widget"}}}
            """)!.AsObject();
        var d = Assert.Single(CustomResourceDescriptors.FromCrd(crd));
        Assert.Equal(["status", "scale"], d.Subresources.Select(s => s.Name));
        Assert.All(d.Subresources, s =>
        {
            Assert.NotNull(s.Handler);
            Assert.All(s.Verbs, v => Assert.Contains(v, s.Handler!.Verbs));
        });
    }

    [Fact]
    public async Task UnknownSubresource_Is404NotFound()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/any/nosuch");
        Assert.Equal(404, status);
        Assert.Equal("Status", body!["kind"]!.GetValue<string>());
        Assert.Equal("NotFound", body["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("DELETE", "status")]
    [InlineData("GET", "binding")]
    [InlineData("PUT", "eviction")]
    [InlineData("POST", "log")]
    [InlineData("PATCH", "exec")]
    public async Task VerbTheRouteDoesNotRegister_Is405(string method, string subresource)
    {
        var (status, body, _) = await f.Cp.SendAsync(new HttpMethod(method), $"{Pods}/any/{subresource}", method is "GET" or "DELETE" ? null : new JsonObject());
        Assert.Equal(405, status);
        Assert.Equal("Status", body!["kind"]!.GetValue<string>());
        Assert.Equal("MethodNotAllowed", body["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task WatchOfStatus_Is405MethodNotAllowed_NamingTheSubresource()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/any/status?watch=true");
        Assert.Equal(405, status);
        Assert.Equal("MethodNotAllowed", body!["reason"]!.GetValue<string>());
        Assert.Contains("pods/status", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOfVirtualResource_Is405()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews");
        Assert.Equal(405, status);
        Assert.Equal("MethodNotAllowed", body!["reason"]!.GetValue<string>());
    }
}
