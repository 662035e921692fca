using System.Net;
using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>
/// Impersonation with the real kubectl (<c>--as</c>, <c>--as-group</c>, <c>--as-uid</c>): the admin acts as another
/// user and is then authorized as that user; a user without the <c>impersonate</c> verb gets upstream's 403; a grant
/// limited to one user name allows exactly that name; service-account names get their groups.
/// </summary>
public sealed class ImpersonationTests : ViewerUserTestBase
{
    [Fact]
    public async Task Admin_ActsAsAnotherUser_AndIsAuthorizedAsThatUser()
    {
        var whoami = JsonNode.Parse(await Admin.OkAsync("auth", "whoami", "--as=bob", "--as-group=devs", "--as-uid=u-1", "-o", "json"))!;
        Assert.Equal("bob", (string?)whoami["status"]!["userInfo"]!["username"]);
        Assert.Equal("u-1", (string?)whoami["status"]!["userInfo"]!["uid"]);
        Assert.Equal(["devs", "system:authenticated"], whoami["status"]!["userInfo"]!["groups"]!.AsArray().Select(g => (string?)g));

        // bob in viewers may read but not write; the admin itself could.
        Assert.Equal("yes", await Admin.OkAsync("auth", "can-i", "list", "pods", "--as=bob", "--as-group=viewers"));
        var (exit, output, _) = await Admin.RunAsync(["auth", "can-i", "create", "configmaps", "--as=bob", "--as-group=viewers"]);
        Assert.Equal((1, "no"), (exit, output));
        (exit, _, var err) = await Admin.RunAsync(["create", "configmap", "x", "--from-literal=a=b", "--as=bob", "--as-group=viewers"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("configmaps is forbidden: User \"bob\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceAccountName_GetsServiceAccountGroups()
    {
        var whoami = JsonNode.Parse(await Admin.OkAsync("auth", "whoami", "--as=system:serviceaccount:kube-system:builder", "-o", "json"))!;
        Assert.Equal(
            ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
            whoami["status"]!["userInfo"]!["groups"]!.AsArray().Select(g => (string?)g));
    }

    [Fact]
    public async Task UserWithoutImpersonateVerb_GetsUpstreamForbidden_AndAGrantAllowsOnlyItsNames()
    {
        // (get --raw: a forbidden discovery request is printed by kubectl as "unknown")
        var (exit, _, err) = await Alice.RunAsync(["get", "--raw", "/api/v1/namespaces/default/pods", "--as=bob"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope", err, StringComparison.Ordinal);

        await Admin.OkAsync("create", "clusterrole", "impersonate-bob", "--verb=impersonate", "--resource=users", "--resource-name=bob");
        await Admin.OkAsync("create", "clusterrolebinding", "alice-impersonates-bob", "--clusterrole=impersonate-bob", "--user=alice");
        var whoami = JsonNode.Parse(await Alice.OkAsync("auth", "whoami", "--as=bob", "-o", "json"))!;
        Assert.Equal("bob", (string?)whoami["status"]!["userInfo"]!["username"]);

        (exit, _, err) = await Alice.RunAsync(["get", "--raw", "/api/v1/namespaces/default/pods", "--as=carol"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("users \"carol\" is forbidden: User \"alice\" cannot impersonate resource \"users\"", err, StringComparison.Ordinal);

        // A group is checked on its own: alice may be bob, but not bob in system:masters.
        (exit, _, err) = await Alice.RunAsync(["get", "--raw", "/api/v1/namespaces/default/pods", "--as=bob", "--as-group=system:masters"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("groups \"system:masters\" is forbidden: User \"alice\" cannot impersonate resource \"groups\"", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupWithoutUser_IsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
        request.Headers.Add("Impersonate-Group", "devs");
        using var response = await Cp.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("without impersonating a user", (string?)status["message"], StringComparison.Ordinal);
    }
}
