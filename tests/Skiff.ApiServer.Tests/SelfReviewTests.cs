using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview: answered, never stored.</summary>
public sealed class SelfReviewTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

    [Fact]
    public async Task AccessReview_Allowed_NotEnforcedReason()
    {
        var body = JsonNode.Parse("""{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"resourceAttributes":{"namespace":"default","verb":"create","resource":"pods"}}}""");
        var (status, review, _) = await f.Cp.SendAsync(HttpMethod.Post, Ssar, body);
        Assert.Equal(201, status);
        Assert.Equal("SelfSubjectAccessReview", review!["kind"]!.GetValue<string>());
        Assert.True(review["status"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("skiff: RBAC not enforced", review["status"]!["reason"]!.GetValue<string>());
        Assert.Equal("pods", review["spec"]!["resourceAttributes"]!["resource"]!.GetValue<string>());

        // Not stored: the kind has no list or get.
        var (getStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Get, Ssar);
        Assert.Equal(405, getStatus);
    }

    [Fact]
    public async Task AccessReview_NoAttributes_Invalid()
    {
        var (status, error, _) = await f.Cp.SendAsync(HttpMethod.Post, Ssar, JsonNode.Parse("""{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{}}"""));
        Assert.Equal(422, status);
        Assert.Contains("exactly one of nonResourceAttributes or resourceAttributes must be specified", error!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task RulesReview_EverythingAllowed()
    {
        var (status, review, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            JsonNode.Parse("""{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","spec":{"namespace":"default"}}"""));
        Assert.Equal(201, status);
        Assert.Equal("*", review!["status"]!["resourceRules"]![0]!["verbs"]![0]!.GetValue<string>());
        Assert.False(review["status"]!["incomplete"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SelfSubjectReview_ReportsCertificateUser()
    {
        var (status, review, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            JsonNode.Parse("""{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"}"""));
        Assert.Equal(201, status);
        var user = review!["status"]!["userInfo"]!;
        Assert.Equal("kubernetes-admin", user["username"]!.GetValue<string>());
        var groups = user["groups"]!.AsArray().Select(g => g!.GetValue<string>()).ToList();
        Assert.Contains("system:masters", groups);
        Assert.Contains("system:authenticated", groups);
    }

    [Fact]
    public async Task Discovery_ListsReviewKindsCreateOnly()
    {
        var (status, doc, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/authorization.k8s.io/v1");
        Assert.Equal(200, status);
        var ssar = doc!["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "selfsubjectaccessreviews")!;
        Assert.Equal(["create"], ssar["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.False(ssar["namespaced"]!.GetValue<bool>());
        var (authnStatus, authn, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/authentication.k8s.io/v1");
        Assert.Equal(200, authnStatus);
        Assert.Contains(authn!["resources"]!.AsArray(), r => r!["kind"]!.GetValue<string>() == "SelfSubjectReview");
    }
}
