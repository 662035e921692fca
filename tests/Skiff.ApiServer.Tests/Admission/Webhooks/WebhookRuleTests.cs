using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Webhooks;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Webhooks;

/// <summary>Upstream's <c>rules.Matcher</c> cases: operations, groups, versions, resources with subresources and wildcards, scope.</summary>
public sealed class WebhookRuleTests
{
    private static WebhookRule Rule(string json) => WebhookRule.FromJson(JsonNode.Parse(json)!.AsObject());

    [Theory]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}""", "pods", "", "ns", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}""", "pods", "status", "ns", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/status"]}""", "pods", "status", "ns", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/*"]}""", "pods", "status", "ns", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*"]}""", "pods", "status", "ns", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*"]}""", "configmaps", "", "ns", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*/*"]}""", "pods", "eviction", "ns", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*/status"]}""", "nodes", "status", "", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"scope":"Cluster"}""", "pods", "", "ns", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["namespaces"],"scope":"Cluster"}""", "namespaces", "", "ns", true)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["namespaces"],"scope":"Namespaced"}""", "namespaces", "", "ns", false)]
    [InlineData("""{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"scope":"Namespaced"}""", "pods", "", "ns", true)]
    public void Resources_Subresources_Scope(string rule, string resource, string subresource, string ns, bool expected) =>
        Assert.Equal(expected, Rule(rule).Matches(AdmissionOperation.Create, "", "v1", resource, subresource, ns));

    [Fact]
    public void Operations_GroupsAndVersions_WildcardsAndExact()
    {
        var connect = Rule("""{"operations":["CONNECT"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/exec"]}""");
        Assert.True(connect.Matches(AdmissionOperation.Connect, "", "v1", "pods", "exec", "ns"));
        Assert.False(connect.Matches(AdmissionOperation.Create, "", "v1", "pods", "exec", "ns"));

        var any = Rule("""{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["deployments"]}""");
        Assert.True(any.Matches(AdmissionOperation.Delete, "apps", "v1", "deployments", "", "ns"));
        Assert.False(any.Matches(AdmissionOperation.Delete, "apps", "v1", "replicasets", "", "ns"));

        var apps = Rule("""{"operations":["UPDATE"],"apiGroups":["apps"],"apiVersions":["v1beta1"],"resources":["deployments"]}""");
        Assert.False(apps.Matches(AdmissionOperation.Update, "apps", "v1", "deployments", "", "ns"));
        Assert.False(apps.Matches(AdmissionOperation.Update, "", "v1beta1", "deployments", "", "ns"));
        Assert.True(apps.Matches(AdmissionOperation.Update, "apps", "v1beta1", "deployments", "", "ns"));
    }
}
