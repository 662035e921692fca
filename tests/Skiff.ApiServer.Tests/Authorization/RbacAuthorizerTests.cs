using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Authorization.Bootstrap;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>
/// The RBAC authorizer and the chain against upstream's expected answers: the bootstrap roles (aggregated admin,
/// edit and view included), resourceNames, non-resource URLs with a <c>*</c> suffix, subresources and <c>*/sub</c>,
/// role bindings in one namespace only, and upstream's reasons.
/// </summary>
public sealed class RbacAuthorizerTests
{
    private static readonly UserInfo Alice = new("alice", null, ["viewers", "system:authenticated"]);
    private static readonly UserInfo Bob = new("bob", null, ["system:authenticated"]);
    private static readonly UserInfo Anonymous = AuthorizationGate.Anonymous;
    private static readonly UserInfo Admin = new("kubernetes-admin", null, ["system:masters", "system:authenticated"]);
    private static readonly UserInfo Scheduler = new("system:kube-scheduler", null, ["system:authenticated"]);
    private static readonly UserInfo ControllerManager = new("system:kube-controller-manager", null, ["system:authenticated"]);
    private static readonly UserInfo Sa = new("system:serviceaccount:team:builder", null, ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]);

    private static RbacCache Bootstrapped()
    {
        var cache = new RbacCache();
        foreach (var r in BootstrapPolicy.Roles)
        {
            cache.Apply(BootstrapReconciler.RoleObject(r));
        }

        foreach (var b in BootstrapPolicy.Bindings)
        {
            cache.Apply(BootstrapReconciler.BindingObject(b));
        }

        cache.Apply(Binding("ClusterRoleBinding", "viewers-view", "", "ClusterRole", "view", Subject("Group", "viewers")));
        cache.Apply(Binding("RoleBinding", "bob-edit", "team", "ClusterRole", "edit", Subject("User", "bob")));
        cache.Apply(Role("Role", "cm-reader", "team",
            Rule("get", "", "configmaps", names: "app-config"),
            Rule("get,list", "", "*/status"),
            Rule("get,create", "apps", "deployments/scale")));
        cache.Apply(Binding("RoleBinding", "builder-cm", "team", "Role", "cm-reader", new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "builder" }));
        cache.Apply(Role("ClusterRole", "logs", "", new JsonObject { ["verbs"] = new JsonArray("get"), ["nonResourceURLs"] = new JsonArray("/logs/*", "/exact") }));
        cache.Apply(Binding("ClusterRoleBinding", "alice-logs", "", "ClusterRole", "logs", Subject("User", "alice")));
        cache.Apply(Binding("ClusterRoleBinding", "dangling", "", "ClusterRole", "missing", Subject("User", "bob")));
        return cache;
    }

    public static TheoryData<string, string, string, string, string, string, string, bool> ResourceCases() => new()
    {
        // user, verb, group, resource, subresource, namespace, name, allowed
        { "alice", "list", "", "pods", "", "default", "", true },
        { "alice", "get", "", "pods", "log", "default", "p", true },
        { "alice", "watch", "apps", "deployments", "", "x", "", true },
        { "alice", "get", "apps", "deployments", "scale", "x", "d", true },
        { "alice", "create", "", "configmaps", "", "default", "", false },
        { "alice", "get", "", "secrets", "", "default", "s", false }, // view never reads secrets
        { "alice", "get", "", "pods", "exec", "default", "p", false },
        { "alice", "list", "", "nodes", "", "", "", false },
        { "alice", "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "", true }, // basic-user
        { "bob", "create", "", "configmaps", "", "team", "", true }, // edit in team only
        { "bob", "create", "", "configmaps", "", "other", "", false },
        { "bob", "get", "", "secrets", "", "team", "s", true },
        { "bob", "create", "rbac.authorization.k8s.io", "roles", "", "team", "", false }, // edit is not admin
        { "bob", "delete", "apps", "deployments", "", "team", "d", true },
        { "system:serviceaccount:team:builder", "get", "", "configmaps", "", "team", "app-config", true },
        { "system:serviceaccount:team:builder", "get", "", "configmaps", "", "team", "other", false }, // resourceNames
        { "system:serviceaccount:team:builder", "list", "", "configmaps", "", "team", "", false }, // names never match a list
        { "system:serviceaccount:team:builder", "get", "", "pods", "status", "team", "p", true }, // */status
        { "system:serviceaccount:team:builder", "get", "", "pods", "", "team", "p", false },
        { "system:serviceaccount:team:builder", "create", "apps", "deployments", "scale", "team", "d", true },
        { "system:serviceaccount:team:builder", "create", "apps", "deployments", "", "team", "", false },
        { "system:kube-scheduler", "create", "", "pods", "binding", "default", "p", true },
        { "system:kube-scheduler", "update", "coordination.k8s.io", "leases", "", "kube-system", "kube-scheduler", true },
        { "system:kube-scheduler", "update", "coordination.k8s.io", "leases", "", "kube-system", "other", false },
        { "system:kube-scheduler", "create", "", "pods", "", "default", "", false },
        { "system:kube-controller-manager", "create", "", "pods", "", "default", "", true }, // via system:controller:replicaset-controller
        { "system:kube-controller-manager", "update", "apps", "deployments", "status", "default", "d", true },
        { "system:kube-controller-manager", "delete", "", "secrets", "", "default", "s", true }, // generic-garbage-collector
        { "system:kube-controller-manager", "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", "", "", false },
        { "system:anonymous", "list", "", "pods", "", "default", "", false },
        { "kubernetes-admin", "deletecollection", "", "nodes", "", "", "", true },
    };

    [Theory]
    [MemberData(nameof(ResourceCases))]
    public void Resource_Decisions_MatchUpstream(string user, string verb, string group, string resource, string sub, string ns, string name, bool allowed)
    {
        var chain = new AuthorizerChain([new RbacAuthorizer(Bootstrapped())]);
        var a = new AuthorizationAttributes
        {
            User = UserNamed(user), Verb = verb, IsResourceRequest = true, ApiGroup = group, ApiVersion = "v1",
            Resource = resource, Subresource = sub, Namespace = ns, Name = name,
        };
        Assert.Equal(allowed, chain.Authorize(a).Allowed);
    }

    public static TheoryData<string, string, string, bool> NonResourceCases() => new()
    {
        { "system:anonymous", "get", "/healthz", true },
        { "system:anonymous", "get", "/livez", true },
        { "system:anonymous", "get", "/readyz", true },
        { "system:anonymous", "get", "/version", true },
        { "system:anonymous", "get", "/healthz/etcd", false },
        { "system:anonymous", "get", "/api", false },
        { "system:anonymous", "post", "/healthz", false },
        { "alice", "get", "/api", true },
        { "alice", "get", "/apis/apps/v1", true },
        { "alice", "get", "/openapi/v3", true },
        { "alice", "get", "/metrics", false },
        { "alice", "get", "/logs/kube.log", true }, // "/logs/*"
        { "alice", "get", "/logs", false },
        { "alice", "get", "/exact", true },
        { "alice", "get", "/exact/more", false },
        { "kubernetes-admin", "get", "/metrics", true },
        // system:service-account-issuer-discovery, bound to every service account: both spellings of each URL, as
        // upstream's bootstrap policy grants them (an OIDC client may ask for either).
        { "system:serviceaccount:team:builder", "get", "/.well-known/openid-configuration", true },
        { "system:serviceaccount:team:builder", "get", "/.well-known/openid-configuration/", true },
        { "system:serviceaccount:team:builder", "get", "/openid/v1/jwks", true },
        { "system:serviceaccount:team:builder", "get", "/openid/v1/jwks/", true },
        { "system:anonymous", "get", "/openid/v1/jwks/", false },
    };

    [Theory]
    [MemberData(nameof(NonResourceCases))]
    public void NonResource_Decisions_MatchUpstream(string user, string verb, string path, bool allowed)
    {
        var chain = new AuthorizerChain([new RbacAuthorizer(Bootstrapped())]);
        Assert.Equal(allowed, chain.Authorize(new AuthorizationAttributes { User = UserNamed(user), Verb = verb, Path = path }).Allowed);
    }

    [Fact]
    public void Allowed_Reason_NamesBindingRoleAndSubject()
    {
        var rbac = new RbacAuthorizer(Bootstrapped());
        var r = rbac.Authorize(new AuthorizationAttributes { User = Alice, Verb = "list", IsResourceRequest = true, Resource = "pods", Namespace = "default" });
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"viewers-view\" of ClusterRole \"view\" to Group \"viewers\"", r.Reason);

        r = rbac.Authorize(new AuthorizationAttributes { User = Sa, Verb = "get", IsResourceRequest = true, Resource = "configmaps", Namespace = "team", Name = "app-config" });
        Assert.Equal("RBAC: allowed by RoleBinding \"builder-cm/team\" of Role \"cm-reader\" to ServiceAccount \"builder/team\"", r.Reason);
    }

    [Fact]
    public void Denied_BindingToMissingRole_ReasonIsTheResolutionError()
    {
        var r = new RbacAuthorizer(Bootstrapped()).Authorize(new AuthorizationAttributes { User = Bob, Verb = "list", IsResourceRequest = true, Resource = "nodes" });
        Assert.Equal(Decision.NoOpinion, r.Decision);
        Assert.Equal("RBAC: clusterrole.rbac.authorization.k8s.io \"missing\" not found", r.Reason);
    }

    [Fact]
    public void Forbidden_Messages_AreUpstreams()
    {
        var ns = ForbiddenResponse.For(new AuthorizationAttributes { User = Alice, Verb = "create", IsResourceRequest = true, Resource = "configmaps", Namespace = "default" }, "");
        Assert.Equal(403, ns.Code);
        Assert.Equal("configmaps is forbidden: User \"alice\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"", ns.Message);

        var cluster = ForbiddenResponse.For(new AuthorizationAttributes { User = Alice, Verb = "get", IsResourceRequest = true, ApiGroup = "apps", Resource = "deployments", Subresource = "scale", Name = "d" }, "");
        Assert.Equal("deployments.apps \"d\" is forbidden: User \"alice\" cannot get resource \"deployments/scale\" in API group \"apps\" at the cluster scope", cluster.Message);

        var path = ForbiddenResponse.For(new AuthorizationAttributes { User = Anonymous, Verb = "get", Path = "/metrics" }, "");
        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/metrics\"", path.Message);
    }

    [Fact]
    public void Aggregated_View_HasTheRulesOfAggregateToView_AndEditIncludesView()
    {
        var cache = Bootstrapped();
        var view = cache.ClusterRoleRules("view")!;
        var edit = cache.ClusterRoleRules("edit")!;
        var admin = cache.ClusterRoleRules("admin")!;
        Assert.True(RuleCoverage.Covers(view, BootstrapPolicy.Roles.Single(r => r.Name == "system:aggregate-to-view").Rules).Covered);
        Assert.True(RuleCoverage.Covers(edit, view).Covered);
        Assert.True(RuleCoverage.Covers(admin, edit).Covered);
        Assert.False(RuleCoverage.Covers(view, edit).Covered);
    }

    [Fact]
    public void Covers_SubresourceWildcards_AndResourceNames()
    {
        PolicyRule[] owner = [PolicyRule.Resource(["get"], [""], ["pods/*"]), PolicyRule.Resource(["update"], ["apps"], ["*/scale"]), PolicyRule.Resource(["get"], [""], ["secrets"], ["a"])];
        Assert.True(RuleCoverage.Covers(owner, [PolicyRule.Resource(["get"], [""], ["pods/log", "pods/status"])]).Covered);
        Assert.True(RuleCoverage.Covers(owner, [PolicyRule.Resource(["update"], ["apps"], ["deployments/scale"])]).Covered);
        Assert.True(RuleCoverage.Covers(owner, [PolicyRule.Resource(["get"], [""], ["secrets"], ["a"])]).Covered);
        var (covered, missing) = RuleCoverage.Covers(owner, [PolicyRule.Resource(["get", "list"], [""], ["secrets", "pods"])]);
        Assert.False(covered);
        Assert.Equal(["{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}", "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}"],
            RuleCoverage.Compact(missing).Select(r => r.CompactString()));
    }

    private static UserInfo UserNamed(string name) => name switch
    {
        "alice" => Alice,
        "bob" => Bob,
        "system:anonymous" => Anonymous,
        "kubernetes-admin" => Admin,
        "system:kube-scheduler" => Scheduler,
        "system:kube-controller-manager" => ControllerManager,
        _ => Sa,
    };

    internal static JsonObject Rule(string verbs, string groups, string resources, string? names = null) =>
        PolicyRule.Resource(verbs.Split(','), groups.Split(','), resources.Split(','), names?.Split(',')).ToJson();

    internal static JsonObject Role(string kind, string name, string ns, params JsonObject[] rules)
    {
        var meta = new JsonObject { ["name"] = name };
        if (ns.Length > 0)
        {
            meta["namespace"] = ns;
        }

        return new JsonObject { ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = kind, ["metadata"] = meta, ["rules"] = new JsonArray(rules) };
    }

    internal static JsonObject Subject(string kind, string name) => new() { ["kind"] = kind, ["name"] = name, ["apiGroup"] = "rbac.authorization.k8s.io" };

    internal static JsonObject Binding(string kind, string name, string ns, string roleKind, string roleName, params JsonObject[] subjects)
    {
        var meta = new JsonObject { ["name"] = name };
        if (ns.Length > 0)
        {
            meta["namespace"] = ns;
        }

        return new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = kind,
            ["metadata"] = meta,
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = roleName },
            ["subjects"] = new JsonArray(subjects),
        };
    }
}
