using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>SelfSubjectAccessReview and SelfSubjectReview (kubectl auth can-i / whoami).</summary>
public sealed class ReviewTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task SelfSubjectAccessReview_Authenticated_AllowedAndNotStored()
    {
        var review = JsonNode.Parse("""{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}}""");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
        Assert.Equal(201, status);
        Assert.True(body!["status"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("pods", body["spec"]!["resourceAttributes"]!["resource"]!.GetValue<string>());
        Assert.Empty((await f.Cp.Storage.ListAsync("/registry/authorization.k8s.io/", Skiff.Storage.ListOptions.Latest, default)).Items);
    }

    [Fact]
    public async Task SelfSubjectAccessReview_NoAttributes_Returns422()
    {
        var review = JsonNode.Parse("""{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{}}""");
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
        Assert.Equal(422, status);
    }

    [Fact]
    public async Task SelfSubjectReview_AdminCertificate_ReturnsUserAndGroups()
    {
        var review = JsonNode.Parse("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews", review);
        Assert.Equal(201, status);
        Assert.Equal("kubernetes-admin", body!["status"]!["userInfo"]!["username"]!.GetValue<string>());
        Assert.Contains(body["status"]!["userInfo"]!["groups"]!.AsArray(), g => g!.GetValue<string>() == "system:masters");
    }
}
