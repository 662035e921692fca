using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Controllers.Tests.ResourceQuota;

/// <summary>The resourcequota controller computes status.hard and status.used; admission then enforces them.</summary>
public sealed class ResourceQuotaControllerTests
{
    private static string? Used(V1ResourceQuota q, string key) =>
        q.Status?.Used is { } used && used.TryGetValue(key, out var v) ? v.ToString() : null;

    [Fact]
    public async Task Used_FollowsPodsAndConfigMaps_ThenAdmissionRefusesTheOneTooMany()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["resourcequota"]));
        var ns = await h.NamespaceAsync("rq");
        await h.Kubectl.OkAsync("create", "quota", "q", "-n", ns, "--hard=pods=2,configmaps=2,requests.cpu=1,count/deployments.apps=3");
        var quotas = h.Clientset.Resource<V1ResourceQuota, V1ResourceQuotaList>(ns);
        await ListWatch.UntilAsync(quotas, l => l.Any(q => Used(q, "pods") == "0" && Used(q, "requests.cpu") == "0" && Used(q, "count/deployments.apps") == "0"));

        await h.Kubectl.OkAsync("create", "configmap", "a", "-n", ns);
        await h.Kubectl.OkAsync("run", "p1", "-n", ns, "--image=busybox", "--overrides", """{"spec":{"containers":[{"name":"p1","image":"busybox","resources":{"requests":{"cpu":"300m"}}}]}}""");
        await h.Kubectl.OkAsync("run", "p2", "-n", ns, "--image=busybox", "--overrides", """{"spec":{"containers":[{"name":"p2","image":"busybox","resources":{"requests":{"cpu":"200m"}}}]}}""");
        var counted = await ListWatch.UntilAsync(quotas, l => l.Any(q => Used(q, "pods") == "2" && Used(q, "requests.cpu") == "500m" && Used(q, "configmaps") == "1"));
        Assert.Equal("2", counted.Single().Status.Hard["pods"].ToString());

        var (exit, _, err) = await h.Kubectl.RunAsync(["run", "p3", "-n", ns, "--image=busybox", "--overrides",
            """{"spec":{"containers":[{"name":"p3","image":"busybox","resources":{"requests":{"cpu":"100m"}}}]}}"""]);
        Assert.NotEqual(0, exit);
        Assert.Contains("pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2", err, StringComparison.Ordinal);

        // Deleting gives the usage back.
        await h.Kubectl.OkAsync("delete", "pod", "p1", "-n", ns, "--grace-period=0", "--force");
        await ListWatch.UntilAsync(quotas, l => l.Any(q => Used(q, "pods") == "1" && Used(q, "requests.cpu") == "200m"));
    }

    [Fact]
    public async Task ScopedQuota_CountsOnlyBestEffortPods()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["resourcequota"]));
        var ns = await h.NamespaceAsync("rq");
        await h.Kubectl.OkAsync("create", "quota", "be", "-n", ns, "--hard=pods=5", "--scopes=BestEffort");
        await h.Kubectl.OkAsync("run", "plain", "-n", ns, "--image=busybox");
        await h.Kubectl.OkAsync("run", "sized", "-n", ns, "--image=busybox", "--overrides", """{"spec":{"containers":[{"name":"sized","image":"busybox","resources":{"requests":{"cpu":"100m"}}}]}}""");
        var quotas = h.Clientset.Resource<V1ResourceQuota, V1ResourceQuotaList>(ns);
        var l = await ListWatch.UntilAsync(quotas, l => l.Any(q => Used(q, "pods") == "1"));
        Assert.Equal("1", Used(l.Single(), "pods"));
    }
}
