using k8s.Models;
using Skiff.Scheduler.Plugins.VolumeBinding;
using Skiff.Scheduler.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>VolumeBinding against a real API server: immediate claims must be bound first; WaitForFirstConsumer claims get the selected node.</summary>
public sealed class VolumeSchedulingTests
{
    [Fact]
    public async Task UnboundImmediateClaim_Pending_ThenWaitForFirstConsumerClaim_GetsSelectedNode()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await h.NodeAsync("n1");
        var ns = await h.NamespaceAsync();
        var pods = h.Clientset.CoreV1().Pods(ns);
        var claims = h.Clientset.CoreV1().PersistentVolumeClaims(ns);
        var cls = $"wait-{ns}";
        await h.Clientset.Resource<V1StorageClass, V1StorageClassList>().CreateAsync(new V1StorageClass { Metadata = new V1ObjectMeta { Name = cls }, Provisioner = "example.com/p", VolumeBindingMode = "WaitForFirstConsumer" });
        await claims.CreateAsync(Claim("immediate", null));
        await claims.CreateAsync(Claim("delayed", cls));

        await pods.CreateAsync(WithClaim("a", "immediate"));
        const string Expected = "0/1 nodes are available: " + VolumeBinding.ErrReasonUnboundImmediate + ".";
        var pending = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable" && c.Message.StartsWith(Expected, StringComparison.Ordinal)) == true));
        Assert.True(string.IsNullOrEmpty(pending[0].Spec.NodeName));

        await pods.CreateAsync(WithClaim("b", "delayed"));
        await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "b" && p.Spec.NodeName == "n1"));
        var annotated = await ListWatch.UntilAsync(claims, l => l.Any(c => c.Metadata.Name == "delayed" && c.Metadata.Annotations is { } a && a.TryGetValue(VolumeBinding.SelectedNodeAnnotation, out var n) && n == "n1"));
        Assert.False(annotated.Single(c => c.Metadata.Name == "immediate").Metadata.Annotations?.ContainsKey(VolumeBinding.SelectedNodeAnnotation) ?? false);
    }

    private static V1PersistentVolumeClaim Claim(string name, string? className) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeClaimSpec
        {
            StorageClassName = className,
            AccessModes = ["ReadWriteOnce"],
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
        },
    };

    private static V1Pod WithClaim(string name, string claim)
    {
        var p = SchedulerHarness.Pod(name);
        p.Spec.Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } }];
        return p;
    }
}
