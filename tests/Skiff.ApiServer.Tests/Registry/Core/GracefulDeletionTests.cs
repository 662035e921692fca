using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

/// <summary>Graceful pod deletion through the generic store (upstream <c>rest.BeforeDelete</c>).</summary>
public sealed class GracefulDeletionTests(BuiltInControlPlaneFixture f) : IClassFixture<BuiltInControlPlaneFixture>
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    private async Task CreatePodAsync(string name, string? node, string extraMeta = "")
    {
        var nodeField = node is null ? "" : $"\"nodeName\":\"{node}\",";
        var pod = JsonNode.Parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"" + extraMeta + "},\"spec\":{" + nodeField
            + "\"terminationGracePeriodSeconds\":30,\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}")!;
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, Pods, pod);
        Assert.Equal(201, status);
    }

    private static DateTimeOffset Stamp(JsonNode obj) => DateTimeOffset.Parse(obj["metadata"]!["deletionTimestamp"]!.GetValue<string>());

    private static long Grace(JsonNode obj) => obj["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>();

    [Fact]
    public async Task Delete_ScheduledPod_MarkedThenShortenedThenForced()
    {
        await CreatePodAsync("gd-pod", "n1");
        var before = DateTimeOffset.UtcNow;
        var (status, marked, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-pod");
        Assert.Equal(200, status);
        Assert.Equal("Pod", marked!["kind"]!.GetValue<string>());
        Assert.Equal(30, Grace(marked));
        Assert.InRange(Stamp(marked), before.AddSeconds(28), DateTimeOffset.UtcNow.AddSeconds(31));

        var (getStatus, got, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/gd-pod");
        Assert.Equal(200, getStatus);
        Assert.Equal(30, Grace(got!));

        // A longer (or absent) period leaves the pending deletion alone.
        var (longer, same, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-pod?gracePeriodSeconds=60");
        Assert.Equal(200, longer);
        Assert.Equal(30, Grace(same!));
        Assert.Equal(got!["metadata"]!["resourceVersion"]!.GetValue<string>(), same!["metadata"]!["resourceVersion"]!.GetValue<string>());

        // A shorter period shortens it: the timestamp moves back by the difference.
        var (shorter, shortened, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-pod", JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":10}"""));
        Assert.Equal(200, shorter);
        Assert.Equal(10, Grace(shortened!));
        Assert.Equal(Stamp(marked).AddSeconds(-20), Stamp(shortened!));

        // Period 0 (kubectl delete --force --grace-period=0) deletes at once.
        var (forced, _, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-pod?gracePeriodSeconds=0");
        Assert.Equal(200, forced);
        var (gone, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/gd-pod");
        Assert.Equal(404, gone);
    }

    [Fact]
    public async Task Delete_UnscheduledPod_Immediate()
    {
        await CreatePodAsync("gd-unscheduled", null);
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-unscheduled");
        Assert.Equal(200, status);
        var (gone, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/gd-unscheduled");
        Assert.Equal(404, gone);
    }

    [Fact]
    public async Task Delete_GraceZeroWithFinalizer_KeptWithZeroPeriod()
    {
        await CreatePodAsync("gd-final", "n1", ",\"finalizers\":[\"example.com/hold\"]");
        var (_, marked, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-final?gracePeriodSeconds=5");
        Assert.Equal(5, Grace(marked!));
        var (status, zero, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Pods}/gd-final?gracePeriodSeconds=0");
        Assert.Equal(200, status);
        Assert.Equal(0, Grace(zero!));

        var patch = JsonNode.Parse("""{"metadata":{"finalizers":null}}""");
        var (patched, _, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Pods}/gd-final", patch, "application/merge-patch+json");
        Assert.Equal(200, patched);
        var (gone, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/gd-final");
        Assert.Equal(404, gone);
    }
}
