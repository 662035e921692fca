using System.Text;
using Skiff.ApiServer.Audit;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Audit;

/// <summary>The audit policy: upstream's rule matching (first match wins), omitted stages, and what a policy file may not say.</summary>
public sealed class AuditPolicyTests
{
    private const string Policy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
        - level: None
          users: ["system:kube-proxy"]
          verbs: [watch]
        - level: None
          nonResourceURLs: ["/healthz*", /version]
        - level: RequestResponse
          resources: [{group: "", resources: [configmaps, "pods/log"]}]
          namespaces: [audited]
        - level: Request
          userGroups: [auditors]
          resources: [{group: apps, resources: ["*/scale"]}, {group: "", resources: ["secrets"], resourceNames: [one]}]
        - level: Metadata
          resources: [{group: "", resources: ["services/*"]}]
          omitStages: [ResponseStarted]
        - level: None
          resources: [{group: ""}]
        - level: Metadata
        """;

    public static TheoryData<string, string, string, string[], string> Cases => new()
    {
        { "GET", "/api/v1/namespaces/a/pods?watch=true", "system:kube-proxy", [], "None" },
        { "GET", "/api/v1/namespaces/a/pods?watch=true", "bob", [], "None" },
        { "GET", "/healthz/etcd", "bob", [], "None" },
        { "GET", "/version", "bob", [], "None" },
        { "GET", "/metrics", "bob", [], "Metadata" },
        { "POST", "/api/v1/namespaces/audited/configmaps", "bob", [], "RequestResponse" },
        { "POST", "/api/v1/namespaces/other/configmaps", "bob", [], "None" },
        { "GET", "/api/v1/namespaces/audited/pods/p/log", "bob", [], "RequestResponse" },
        { "PUT", "/apis/apps/v1/namespaces/a/deployments/d/scale", "carol", ["auditors"], "Request" },
        { "PUT", "/apis/apps/v1/namespaces/a/deployments/d/scale", "carol", ["others"], "Metadata" },
        { "GET", "/api/v1/namespaces/a/secrets/one", "carol", ["auditors"], "Request" },
        { "GET", "/api/v1/namespaces/a/secrets/two", "carol", ["auditors"], "None" },
        { "GET", "/api/v1/namespaces/a/services/s/proxy/x", "bob", [], "Metadata" },
        { "GET", "/apis/apps/v1/deployments", "bob", [], "Metadata" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_FirstMatchingRuleDecides(string method, string uri, string user, string[] groups, string level)
    {
        var policy = AuditPolicy.Parse(Encoding.UTF8.GetBytes(Policy));
        var path = uri.Split('?')[0];
        var info = RequestInfo.Parse(method, path, uri.Contains("watch=true", StringComparison.Ordinal));
        var (actual, omit, _) = policy.Evaluate(new UserInfo(user, null, groups), info);
        Assert.Equal(level, actual.ToString());
        Assert.Contains("RequestReceived", omit);
    }

    [Fact]
    public void RuleOmitStages_AddToThePolicys()
    {
        var policy = AuditPolicy.Parse(Encoding.UTF8.GetBytes(Policy));
        var (_, omit, _) = policy.Evaluate(new UserInfo("bob", null, []), RequestInfo.Parse("GET", "/api/v1/namespaces/a/services/s/proxy", false));
        Assert.Equal(["RequestReceived", "ResponseStarted"], omit.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]", "no kind \"Policy\" is registered for version \"audit.k8s.io/v1beta1\"")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []", "loaded illegal policy with 0 rules")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Everything}]", "rules[0].level: Unsupported value: \"Everything\"")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [Later]\nrules: [{level: None}]", "omitStages: Invalid value: \"Later\"")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: [/x], namespaces: [a]}]",
        "rules cannot apply to both regular resources and non-resource URLs")]
    public void InvalidPolicy_IsRefused(string document, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => AuditPolicy.Parse(Encoding.UTF8.GetBytes(document)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
