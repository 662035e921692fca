using System.Text.Json.Nodes;
using Skiff.ApiServer.FlowControl;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>Classification against upstream's bootstrap configuration.</summary>
public sealed class FlowClassificationTests
{
    private static readonly FlowController Controller = new(new FlowControlSettings(), new FlowControlMetrics(null));

    private static UserInfo User(string name, params string[] groups) => new(name, null, [.. groups, UserInfo.AuthenticatedGroup]);

    private static RequestInfo Req(string method, string path) => RequestInfo.Parse(method, path, false);

    public static TheoryData<string, string[], string, string, string, string> Cases => new()
    {
        { "kubernetes-admin", ["system:masters"], "GET", "/api/v1/pods", "exempt", "exempt" },
        { "system:anonymous", [], "GET", "/healthz", "probes", "exempt" },
        { "alice", [], "GET", "/readyz", "probes", "exempt" },
        { "alice", [], "GET", "/api/v1/namespaces/default/pods", "global-default", "global-default" },
        { "alice", [], "GET", "/version", "global-default", "global-default" },
        { "system:kube-controller-manager", [], "GET", "/apis/apps/v1/deployments", "kube-controller-manager", "workload-high" },
        { "system:kube-controller-manager", [], "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager", "system-leader-election", "leader-election" },
        { "system:kube-controller-manager", [], "PUT", "/api/v1/namespaces/default/endpoints/web", "endpoint-controller", "workload-high" },
        { "system:kube-scheduler", [], "POST", "/api/v1/namespaces/default/pods/p/binding", "kube-scheduler", "workload-high" },
        { "system:node:n1", ["system:nodes"], "PATCH", "/api/v1/nodes/n1/status", "system-node-high", "node-high" },
        { "system:node:n1", ["system:nodes"], "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", "system-node-high", "node-high" },
        { "skiff:hollow-node", ["skiff:hollow-nodes"], "PATCH", "/api/v1/nodes/hollow-1/status", "skiff-hollow-node-high", "node-high" },
        { "skiff:hollow-node", ["skiff:hollow-nodes"], "GET", "/api/v1/pods", "skiff-hollow-nodes", "system" },
        { "system:node:n1", ["system:nodes"], "GET", "/api/v1/namespaces/default/secrets/s", "system-nodes", "system" },
        { "system:serviceaccount:kube-system:replicaset-controller", ["system:serviceaccounts", "system:serviceaccounts:kube-system"], "POST", "/api/v1/namespaces/default/pods", "kube-system-service-accounts", "workload-high" },
        { "system:serviceaccount:kube-system:x", ["system:serviceaccounts"], "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x", "system-leader-election", "leader-election" },
        { "system:serviceaccount:default:app", ["system:serviceaccounts", "system:serviceaccounts:default"], "GET", "/api/v1/namespaces/default/pods", "service-accounts", "workload-low" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bootstrap_ClassifiesAsUpstream(string user, string[] groups, string method, string path, string flowSchema, string priorityLevel)
    {
        var c = Controller.Classify(Req(method, path), User(user, groups));
        Assert.Equal(flowSchema, c.FlowSchema);
        Assert.Equal(priorityLevel, c.PriorityLevel);
        Assert.Equal(priorityLevel == "exempt", c.Exempt);
    }

    [Fact]
    public void Anonymous_ListFallsToGlobalDefault()
    {
        var c = Controller.Classify(Req("GET", "/api/v1/pods"), new UserInfo("system:anonymous", null, ["system:unauthenticated"]));
        Assert.Equal("global-default", c.FlowSchema);
    }

    [Fact]
    public void Distinguisher_ByUserAndByNamespace()
    {
        Assert.Equal("alice", Controller.Classify(Req("GET", "/api/v1/namespaces/a/pods"), User("alice")).Distinguisher);
        Assert.Equal("ns1", Controller.Classify(Req("GET", "/api/v1/namespaces/ns1/pods"), User("system:kube-controller-manager")).Distinguisher);
        Assert.Equal("", Controller.Classify(Req("GET", "/api/v1/pods"), User("admin", "system:masters")).Distinguisher);
    }

    [Fact]
    public void Limits_FollowUpstreamFormula()
    {
        // ServerCL 600 over ΣNCS 245: ceil(600 × NCS / 245).
        var limits = Controller.ConcurrencyLimits;
        Assert.Equal(13, limits["catch-all"]);
        Assert.Equal(74, limits["system"]);
        Assert.Equal(98, limits["node-high"]);
        Assert.Equal(25, limits["leader-election"]);
        Assert.Equal(98, limits["workload-high"]);
        Assert.Equal(245, limits["workload-low"]);
        Assert.Equal(49, limits["global-default"]);
    }

    [Fact]
    public void Precedence_LowerWins_AndDanglingSchemasAreSkipped()
    {
        var c = new FlowController(new FlowControlSettings(), new FlowControlMetrics(null));
        var schemas = FlowControlBootstrap.MandatoryFlowSchemas().Concat(FlowControlBootstrap.SuggestedFlowSchemas()).ToList();
        var levels = FlowControlBootstrap.MandatoryPriorityLevels().Concat(FlowControlBootstrap.SuggestedPriorityLevels()).ToList();
        schemas.Add(Schema("alice-first", "workload-low", 50, "alice"));
        schemas.Add(Schema("alice-dangling", "no-such-level", 10, "alice"));
        c.Apply(schemas, levels);
        var got = c.Classify(Req("GET", "/api/v1/pods"), User("alice"));
        Assert.Equal("alice-first", got.FlowSchema);
        Assert.Equal("workload-low", got.PriorityLevel);

        // Nothing matches at all: catch-all.
        c.Apply([Schema("only-bob", "workload-low", 50, "bob")], levels);
        Assert.Equal("catch-all", c.Classify(Req("GET", "/api/v1/pods"), User("alice")).FlowSchema);
    }

    private static JsonObject Schema(string name, string level, int precedence, string user) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["uid"] = "uid-" + name },
        ["spec"] = new JsonObject
        {
            ["priorityLevelConfiguration"] = new JsonObject { ["name"] = level },
            ["matchingPrecedence"] = precedence,
            ["distinguisherMethod"] = new JsonObject { ["type"] = "ByUser" },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "User", ["user"] = new JsonObject { ["name"] = user } }),
                ["resourceRules"] = new JsonArray(new JsonObject
                {
                    ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*"),
                    ["namespaces"] = new JsonArray("*"), ["clusterScope"] = true,
                }),
            }),
        },
    };
}
