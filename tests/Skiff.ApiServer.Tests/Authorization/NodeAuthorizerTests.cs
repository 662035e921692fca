using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Authorization.Bootstrap;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>The Node authorizer and NodeRestriction: a kubelet reaches only its own node, its pods' objects and its lease.</summary>
public sealed class NodeAuthorizerTests
{
    private static readonly UserInfo NodeA = new("system:node:a", null, ["system:nodes", "system:authenticated"]);

    private static NodeAuthorizer Authorizer()
    {
        var graph = new NodeGraph();
        graph.SetPod("/registry/pods/default/web", JsonNode.Parse("""
            {"metadata":{"name":"web","namespace":"default"},
             "spec":{"nodeName":"a","serviceAccountName":"web-sa","imagePullSecrets":[{"name":"pull"}],
               "volumes":[{"name":"v","secret":{"secretName":"tls"}},{"name":"c","configMap":{"name":"conf"}},
                          {"name":"p","projected":{"sources":[{"configMap":{"name":"kube-root-ca.crt"}}]}},
                          {"name":"d","persistentVolumeClaim":{"claimName":"data"}}],
               "containers":[{"name":"c","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"env-secret","key":"k"}}}],
                              "envFrom":[{"configMapRef":{"name":"env-conf"}}]}]}}
            """)!.AsObject());
        graph.SetPod("/registry/pods/default/other", JsonNode.Parse("""
            {"metadata":{"name":"other","namespace":"default"},"spec":{"nodeName":"b","volumes":[{"name":"v","secret":{"secretName":"b-secret"}}]}}
            """)!.AsObject());
        return new NodeAuthorizer(graph, BootstrapPolicy.NodeRules);
    }

    public static TheoryData<string, string, string, string, string, string, bool> Cases() => new()
    {
        // verb, group, resource, subresource, namespace, name, allowed
        { "get", "", "secrets", "", "default", "tls", true },
        { "get", "", "secrets", "", "default", "pull", true },
        { "get", "", "secrets", "", "default", "env-secret", true },
        { "watch", "", "secrets", "", "default", "tls", true },
        { "get", "", "secrets", "", "default", "b-secret", false }, // used by a pod on node b only
        { "list", "", "secrets", "", "default", "", false },
        { "update", "", "secrets", "", "default", "tls", false },
        { "get", "", "secrets", "", "kube-system", "tls", false },
        { "get", "", "configmaps", "", "default", "conf", true },
        { "get", "", "configmaps", "", "default", "kube-root-ca.crt", true },
        { "get", "", "configmaps", "", "default", "env-conf", true },
        { "get", "", "configmaps", "", "default", "unrelated", false },
        { "get", "", "persistentvolumeclaims", "", "default", "data", true },
        { "get", "", "persistentvolumeclaims", "", "default", "nope", false },
        { "create", "", "serviceaccounts", "token", "default", "web-sa", true },
        { "create", "", "serviceaccounts", "token", "default", "default", false },
        { "update", "coordination.k8s.io", "leases", "", "kube-node-lease", "a", true },
        { "create", "coordination.k8s.io", "leases", "", "kube-node-lease", "", true },
        { "update", "coordination.k8s.io", "leases", "", "kube-node-lease", "b", false },
        { "get", "coordination.k8s.io", "leases", "", "kube-system", "a", false },
        { "get", "", "nodes", "", "", "a", true },
        { "patch", "", "nodes", "status", "", "a", true },
        { "list", "", "pods", "", "", "", true },
        { "update", "", "pods", "status", "default", "web", true },
        { "create", "", "events", "", "default", "", true },
        { "delete", "", "namespaces", "", "", "default", false },
        { "create", "apps", "deployments", "", "default", "", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Node_Decisions(string verb, string group, string resource, string sub, string ns, string name, bool allowed)
    {
        var a = new AuthorizationAttributes { User = NodeA, Verb = verb, IsResourceRequest = true, ApiGroup = group, Resource = resource, Subresource = sub, Namespace = ns, Name = name };
        Assert.Equal(allowed, Authorizer().Authorize(a).Allowed);
    }

    [Fact]
    public void NotANode_NoOpinion_AndNoRelationship_HasUpstreamsReason()
    {
        var user = new UserInfo("system:node:a", null, ["system:authenticated"]); // not in system:nodes
        Assert.Equal(AuthorizationResult.NoOpinion, Authorizer().Authorize(new AuthorizationAttributes { User = user, Verb = "get", IsResourceRequest = true, Resource = "secrets", Namespace = "default", Name = "tls" }));
        var r = Authorizer().Authorize(new AuthorizationAttributes { User = NodeA, Verb = "get", IsResourceRequest = true, Resource = "secrets", Namespace = "default", Name = "b-secret" });
        Assert.Equal("no relationship found between node 'a' and this object", r.Reason);
    }

    [Fact]
    public void NodeRestriction_ConfinesWritesToItsOwnObjects()
    {
        AuthorizationAttributes A(string verb, string resource, string name, string sub = "", string ns = "", string group = "") =>
            new() { User = NodeA, Verb = verb, IsResourceRequest = true, ApiGroup = group, Resource = resource, Subresource = sub, Namespace = ns, Name = name };

        NodeRestriction.Admit(A("patch", "nodes", "a", "status"), null, null);
        var e = Assert.Throws<StatusException>(() => NodeRestriction.Admit(A("patch", "nodes", "b", "status"), null, null));
        Assert.Equal("nodes \"b\" is forbidden: node \"a\" is not allowed to modify node \"b\"", e.Message);

        NodeRestriction.Admit(A("update", "pods", "web", "status", "default"), null, "a");
        e = Assert.Throws<StatusException>(() => NodeRestriction.Admit(A("update", "pods", "other", "status", "default"), null, "b"));
        Assert.Equal("pods \"other\" is forbidden: node \"a\" can only update pod status for pods with spec.nodeName set to itself", e.Message);

        e = Assert.Throws<StatusException>(() => NodeRestriction.Admit(A("delete", "pods", "other", "", "default"), null, "b"));
        Assert.Equal(403, e.Code);

        var plain = JsonNode.Parse("""{"metadata":{"name":"p"},"spec":{"nodeName":"a"}}""")!.AsObject();
        e = Assert.Throws<StatusException>(() => NodeRestriction.Admit(A("create", "pods", "", "", "default"), plain, null));
        Assert.Equal("pods \"p\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"a\" can only create mirror pods", e.Message);
        var mirror = JsonNode.Parse("""{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"nodeName":"a"}}""")!.AsObject();
        NodeRestriction.Admit(A("create", "pods", "", "", "default"), mirror, null);

        var lease = JsonNode.Parse("""{"metadata":{"name":"b","namespace":"kube-node-lease"}}""")!.AsObject();
        e = Assert.Throws<StatusException>(() => NodeRestriction.Admit(A("create", "leases", "", "", "kube-node-lease", "coordination.k8s.io"), lease, null));
        Assert.Equal("leases.coordination.k8s.io \"b\" is forbidden: can only access node lease with the same name as the requesting node", e.Message);
    }
}
