using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Store;

/// <summary>
/// DELETE's garbage-collection finalizers as upstream's <c>deletionFinalizersForGarbageCollection</c> sets them: the
/// request's policy first, then a GC finalizer already on the object, then the type's default policy.
/// </summary>
public sealed class GarbageCollectionPolicyTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Ns = "/api/v1/namespaces/default";

    [Fact]
    public async Task Delete_ReplicationControllerWithoutPolicy_OrphansByDefault()
    {
        await f.Cp.SendAsync(HttpMethod.Post, $"{Ns}/replicationcontrollers", JsonNode.Parse(
            """{"metadata":{"name":"gc-rc"},"spec":{"replicas":0,"selector":{"a":"rc"},"template":{"metadata":{"labels":{"a":"rc"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Ns}/replicationcontrollers/gc-rc");
        Assert.Equal(200, status);
        Assert.Equal(["orphan"], Finalizers(body));
        Assert.NotNull(body!["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task Delete_JobWithoutPolicy_OrphansByDefault()
    {
        await f.Cp.SendAsync(HttpMethod.Post, "/apis/batch/v1/namespaces/default/jobs", JsonNode.Parse(
            """{"metadata":{"name":"gc-job"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}}"""));
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, "/apis/batch/v1/namespaces/default/jobs/gc-job");
        Assert.Equal(["orphan"], Finalizers(body));
    }

    [Fact]
    public async Task Delete_ReplicaSetWithoutPolicy_DeletesNow()
    {
        await f.Cp.SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/replicasets", JsonNode.Parse(
            """{"metadata":{"name":"gc-rs"},"spec":{"replicas":0,"selector":{"matchLabels":{"a":"rs"}},"template":{"metadata":{"labels":{"a":"rs"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""));
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Delete, "/apis/apps/v1/namespaces/default/replicasets/gc-rs")).Status);
        Assert.Equal(404, (await f.Cp.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/replicasets/gc-rs")).Status);
    }

    [Fact]
    public async Task Delete_ExistingForegroundFinalizer_WinsOverDefault()
    {
        await f.Cp.SendAsync(HttpMethod.Post, $"{Ns}/replicationcontrollers", JsonNode.Parse(
            """{"metadata":{"name":"gc-rc-fg","finalizers":["foregroundDeletion"]},"spec":{"replicas":0,"selector":{"a":"fg"},"template":{"metadata":{"labels":{"a":"fg"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""));
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Ns}/replicationcontrollers/gc-rc-fg");
        Assert.Equal(["foregroundDeletion"], Finalizers(body));
    }

    [Fact]
    public async Task Delete_BackgroundOnOrphaning_RemovesOrphanAndDeletes()
    {
        await f.Cp.SendAsync(HttpMethod.Post, $"{Ns}/configmaps", JsonNode.Parse("""{"metadata":{"name":"gc-cm","finalizers":["orphan"]}}"""));
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Delete, $"{Ns}/configmaps/gc-cm", JsonNode.Parse("""{"propagationPolicy":"Background"}"""))).Status);
        Assert.Equal(404, (await f.Cp.SendAsync(HttpMethod.Get, $"{Ns}/configmaps/gc-cm")).Status);
    }

    [Fact]
    public async Task Delete_EventWithForeground_IgnoresPolicy()
    {
        await f.Cp.SendAsync(HttpMethod.Post, $"{Ns}/events", JsonNode.Parse(
            """{"metadata":{"name":"gc-ev"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"R","message":"m","type":"Normal"}"""));
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Delete, $"{Ns}/events/gc-ev", JsonNode.Parse("""{"propagationPolicy":"Foreground"}"""))).Status);
        Assert.Equal(404, (await f.Cp.SendAsync(HttpMethod.Get, $"{Ns}/events/gc-ev")).Status);
    }

    private static List<string> Finalizers(JsonNode? obj)
        => [.. (obj?["metadata"]?["finalizers"]?.AsArray() ?? []).Select(x => x!.GetValue<string>())];
}
