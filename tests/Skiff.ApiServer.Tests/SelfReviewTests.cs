using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>SelfSubjectRulesReview: answered, never stored; the review kinds in discovery.</summary>
public sealed class SelfReviewTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task RulesReview_AdminInSystemMasters_GetsEveryRule()
    {
        var (status, review, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            JsonNode.Parse("""{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","spec":{"namespace":"default"}}"""));
        Assert.Equal(201, status);
        Assert.Equal("*", review!["status"]!["resourceRules"]![0]!["verbs"]![0]!.GetValue<string>());
        Assert.False(review["status"]!["incomplete"]!.GetValue<bool>());
        Assert.Null(review["status"]!["evaluationError"]); // RBAC is enforced: cluster-admin's rules, nothing withheld

        // Not stored: the kind has no list or get.
        var (getStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews");
        Assert.Equal(405, getStatus);
    }

    [Fact]
    public async Task Discovery_ListsReviewKindsCreateOnly()
    {
        var (status, doc, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/authorization.k8s.io/v1");
        Assert.Equal(200, status);
        var ssar = doc!["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "selfsubjectaccessreviews")!;
        Assert.Equal(["create"], ssar["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.False(ssar["namespaced"]!.GetValue<bool>());
        Assert.Contains(doc["resources"]!.AsArray(), r => r!["kind"]!.GetValue<string>() == "SelfSubjectRulesReview");
        var (authnStatus, authn, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/authentication.k8s.io/v1");
        Assert.Equal(200, authnStatus);
        Assert.Contains(authn!["resources"]!.AsArray(), r => r!["kind"]!.GetValue<string>() == "SelfSubjectReview");
    }
}
