using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Controllers.PodGC;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.PodGC;

public sealed class PodGcControllerTests
{
    private static readonly ControllerDescriptor[] Controllers =
    [
        new("podgc", true, ctx => PodGcController.Register(ctx, new PodGcOptions
        {
            TerminatedPodThreshold = 2,
            Period = TimeSpan.FromMilliseconds(200),
            Quarantine = TimeSpan.Zero,
        })),
    ];

    [Fact]
    public async Task PodsOfADeletedNode_GetDisruptionTargetAndAreDeleted()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        var nodes = h.Clientset.CoreV1().Nodes();
        await nodes.CreateAsync(new V1Node { Metadata = new() { Name = ns + "-gone" } });
        await nodes.CreateAsync(new V1Node { Metadata = new() { Name = ns + "-kept" } });
        var pods = h.Clientset.CoreV1().Pods(ns);
        await pods.CreateAsync(Pod("orphan", ns + "-gone"));
        await pods.CreateAsync(Pod("kept", ns + "-kept"));

        var sawCondition = false;
        var watch = ListWatch.UntilAsync(pods, l =>
        {
            sawCondition |= l.Any(p => p.Metadata.Name == "orphan" && p.Status?.Phase == "Failed" &&
                p.Status.Conditions?.Any(c => c is { Type: "DisruptionTarget", Status: "True", Reason: "DeletionByPodGC", Message: "PodGC: node no longer exists" }) == true);
            return l.Count == 1;
        });
        await nodes.DeleteAsync(ns + "-gone");
        var left = await watch;
        Assert.Equal("kept", Assert.Single(left).Metadata.Name);
        Assert.True(sawCondition, "the orphaned pod was not marked DisruptionTarget/DeletionByPodGC before its deletion");
    }

    [Fact]
    public async Task TerminatedPodsAboveTheThreshold_EvictedThenOldestGoFirst()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        foreach (var name in new[] { "p-a", "p-b", "p-c", "p-d", "p-running" })
        {
            await pods.CreateAsync(Pod(name, null));
        }

        foreach (var (name, phase, reason) in new[] { ("p-a", "Succeeded", ""), ("p-b", "Succeeded", ""), ("p-c", "Failed", "Evicted"), ("p-d", "Succeeded", "") })
        {
            await pods.PatchAsync(name, PatchType.Merge, new { status = new { phase, reason } }, subresource: "status");
        }

        var left = await ListWatch.UntilAsync(pods, l => l.Count == 3);
        Assert.Equal(["p-b", "p-d", "p-running"], left.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
    }

    private static V1Pod Pod(string name, string? node) => new()
    {
        Metadata = new() { Name = name },
        Spec = new() { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };
}
