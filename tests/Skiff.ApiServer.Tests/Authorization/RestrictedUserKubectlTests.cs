using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>
/// The real kubectl as a restricted user (a client certificate in a group bound to <c>view</c>): reads work, writes
/// get upstream's Forbidden message, <c>kubectl auth can-i</c> (and <c>--list</c>) agree with what is enforced, and
/// the user cannot grant itself more (escalation and bind prevention).
/// </summary>
public sealed class RestrictedUserKubectlTests : ViewerUserTestBase
{
    [Fact]
    public async Task ViewUser_ReadsButWritesAreForbiddenWithUpstreamMessage()
    {
        await Admin.OkAsync("create", "configmap", "settings", "--from-literal=a=b");
        Assert.Contains("settings", await Alice.OkAsync("get", "configmaps"), StringComparison.Ordinal);

        var (exit, _, err) = await Alice.RunAsync(["create", "configmap", "mine", "--from-literal=x=y"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("configmaps is forbidden: User \"alice\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"", err, StringComparison.Ordinal);

        (exit, _, err) = await Alice.RunAsync(["delete", "configmap", "settings"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("configmaps \"settings\" is forbidden: User \"alice\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"default\"", err, StringComparison.Ordinal);

        (exit, _, err) = await Alice.RunAsync(["get", "secrets"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"", err, StringComparison.Ordinal);

        (exit, _, err) = await Alice.RunAsync(["get", "nodes"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API group \"\" at the cluster scope", err, StringComparison.Ordinal);

        Assert.Equal("ConfigMap", await Admin.OkAsync("get", "configmap", "settings", "-o", "jsonpath={.kind}"));
        (exit, _, _) = await Admin.RunAsync(["get", "configmap", "mine"]);
        Assert.NotEqual(0, exit); // nothing was stored
    }

    [Fact]
    public async Task CanI_AgreesWithEnforcement()
    {
        Assert.Equal("yes", await Alice.OkAsync("auth", "can-i", "list", "pods"));
        Assert.Equal("yes", await Alice.OkAsync("auth", "can-i", "get", "deployments.apps", "-n", "kube-system"));
        var (exit, output, _) = await Alice.RunAsync(["auth", "can-i", "create", "configmaps"]);
        Assert.Equal(1, exit);
        Assert.Equal("no", output);
        (exit, output, _) = await Alice.RunAsync(["auth", "can-i", "get", "secrets"]);
        Assert.Equal("no", output);

        // The admin asks about alice with a SubjectAccessReview.
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SubjectAccessReview",
            ["spec"] = new JsonObject
            {
                ["user"] = "alice",
                ["groups"] = new JsonArray("viewers", "system:authenticated"),
                ["resourceAttributes"] = new JsonObject { ["verb"] = "list", ["resource"] = "pods", ["namespace"] = "default" },
            },
        };
        var (sarExit, sarOut, sarErr) = await Admin.RunAsync(["create", "-f", "-", "-o", "json"], review.ToJsonString());
        Assert.True(sarExit == 0, sarErr);
        var result = JsonNode.Parse(sarOut)!;
        Assert.True(result["status"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"viewers-view\" of ClusterRole \"view\" to Group \"viewers\"", result["status"]!["reason"]!.GetValue<string>());

        var list = await Alice.OkAsync("auth", "can-i", "--list");
        Assert.Contains("selfsubjectaccessreviews.authorization.k8s.io", list, StringComparison.Ordinal);
        Assert.Contains("deployments.apps", list, StringComparison.Ordinal);
        Assert.DoesNotContain("secrets ", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escalation_RoleWithRulesNotHeld_IsForbidden_AndBindingToClusterAdminToo()
    {
        // Give alice the right to write roles and bindings in default, but nothing more.
        await Admin.OkAsync("create", "role", "rbac-writer", "--verb=create,update,get", "--resource=roles,rolebindings");
        await Admin.OkAsync("create", "rolebinding", "alice-rbac", "--role=rbac-writer", "--user=alice");

        var (exit, _, err) = await Alice.RunAsync(["create", "role", "secret-reader", "--verb=get", "--resource=secrets"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("roles.rbac.authorization.k8s.io \"secret-reader\" is forbidden: user \"alice\" (groups=[\"viewers\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:", err, StringComparison.Ordinal);
        Assert.Contains("{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}", err, StringComparison.Ordinal);

        // A role within what alice holds (view's pod reads) is fine.
        await Alice.OkAsync("create", "role", "pod-reader", "--verb=get,list", "--resource=pods");

        (exit, _, err) = await Alice.RunAsync(["create", "rolebinding", "grab", "--clusterrole=cluster-admin", "--user=alice"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("rolebindings.rbac.authorization.k8s.io \"grab\" is forbidden: user \"alice\"", err, StringComparison.Ordinal);

        // The bind verb on the role lifts the check.
        await Admin.OkAsync("create", "clusterrole", "bind-edit", "--verb=bind", "--resource=clusterroles", "--resource-name=edit");
        await Admin.OkAsync("create", "rolebinding", "alice-bind-edit", "--clusterrole=bind-edit", "--user=alice");
        await Alice.OkAsync("create", "rolebinding", "alice-edit", "--clusterrole=edit", "--user=alice");
        await Alice.OkAsync("create", "configmap", "now-allowed", "--from-literal=a=b");
    }
}
