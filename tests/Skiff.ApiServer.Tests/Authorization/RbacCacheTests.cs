using System.Text;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Security;
using Skiff.Storage.Memory;
using Xunit;
using static Skiff.ApiServer.Tests.Authorization.RbacAuthorizerTests;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>
/// The RBAC cache's per-user rule resolution: resolved once per user, namespace and snapshot (equal users share it),
/// and dropped with the snapshot when a binding or role changes — a revoked binding stops authorizing as soon as
/// its deletion reaches the cache through the watch.
/// </summary>
public sealed class RbacCacheTests
{
    private static AuthorizationAttributes CreateConfigMap(UserInfo user) => new()
    {
        User = user,
        Verb = "create",
        IsResourceRequest = true,
        Namespace = "team",
        ApiVersion = "v1",
        Resource = "configmaps",
    };

    private static RbacCache WithEditForBob()
    {
        var cache = new RbacCache();
        cache.Apply(Role("ClusterRole", "edit", "", Rule("create,get", "", "configmaps")));
        cache.Apply(Binding("RoleBinding", "bob-edit", "team", "ClusterRole", "edit", Subject("User", "bob")));
        return cache;
    }

    [Fact]
    public void EqualUsers_ShareOneResolution_OtherGroupsOrNamespacesDoNot()
    {
        var cache = WithEditForBob();
        var bob = new UserInfo("bob", null, ["system:authenticated"]);
        var sameBob = new UserInfo("bob", "another-uid", ["system:authenticated"]);
        var bobInAGroup = new UserInfo("bob", null, ["system:authenticated", "admins"]);

        var resolved = cache.Resolve(bob, "team");

        Assert.Same(resolved, cache.Resolve(sameBob, "team"));
        Assert.NotSame(resolved, cache.Resolve(bobInAGroup, "team"));
        Assert.NotSame(resolved, cache.Resolve(bob, "other"));
        var grant = Assert.Single(resolved.Grants);
        Assert.Equal("RBAC: allowed by RoleBinding \"bob-edit/team\" of ClusterRole \"edit\" to User \"bob\"", grant.AllowedReason);
        Assert.Empty(cache.Resolve(bob, "other").Grants);
    }

    [Fact]
    public void ChangedRole_IsSeenByTheNextResolution()
    {
        var cache = WithEditForBob();
        var authorizer = new RbacAuthorizer(cache);
        var bob = new UserInfo("bob", null, ["system:authenticated"]);
        Assert.True(authorizer.Authorize(CreateConfigMap(bob)).Allowed);

        cache.Apply(Role("ClusterRole", "edit", "", Rule("get", "", "configmaps")));

        Assert.False(authorizer.Authorize(CreateConfigMap(bob)).Allowed);
    }

    [Fact]
    public async Task RevokedBinding_StopsAuthorizing_OnceTheWatchDeliversTheDeletion()
    {
        await using var storage = new MemoryStorage();
        using var cts = new CancellationTokenSource();
        var cache = new RbacCache();
        await storage.CreateAsync(RbacCache.Prefix + "clusterroles/edit", Json(Role("ClusterRole", "edit", "", Rule("create", "", "configmaps"))), default);
        var binding = await storage.CreateAsync(RbacCache.Prefix + "rolebindings/team/bob-edit",
            Json(Binding("RoleBinding", "bob-edit", "team", "ClusterRole", "edit", Subject("User", "bob"))), default);
        await cache.StartAsync(storage, cts.Token);
        var authorizer = new RbacAuthorizer(cache);
        var bob = new UserInfo("bob", null, ["system:authenticated"]);
        Assert.True(authorizer.Authorize(CreateConfigMap(bob)).Allowed); // resolved and memoized

        Assert.True((await storage.CompareAndDeleteAsync(binding.Key, binding.ModRevision, default)).Succeeded);

        await Skiff.ApiServer.Tests.Webhooks.WebhookFixture.EventuallyAsync(
            () => Task.FromResult(!authorizer.Authorize(CreateConfigMap(bob)).Allowed), "the revoked binding to stop authorizing");

        Assert.Equal("", authorizer.Authorize(CreateConfigMap(bob)).Reason);
        await cts.CancelAsync();
    }

    private static byte[] Json(System.Text.Json.Nodes.JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString());
}
