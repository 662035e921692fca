using System.Text.Json.Nodes;
using Skiff.Kubelet.Network;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

/// <summary>The pod network the kubelet sets up, and the trace of a pod's first start.</summary>
public sealed partial class RealKubeletTests
{
    [SkippableFact]
    public async Task PodEgressLeavesWithTheNodesAddressThroughTheNodeWideRuleNotPerPodIpMasq()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var conflist = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fx.Containerd.Containerd.Config.CniConfDirectory, CniConfigWriter.FileName)))!;
        Assert.False((bool?)conflist["plugins"]![0]!["ipMasq"]);

        await using var outside = await OutsideHost.StartAsync();
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "egress", "Always", $$"""
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until wget -q -O /tmp/seen {{outside.Url}}; do sleep 0.2; done; exec sleep 3600"]
            """));
        var pod = await fx.UntilPodAsync(ns, "egress", p => p.Status?.Phase == "Running", Deadline);
        var seen = "";
        await RealKubeletFixture.EventuallyAsync(async () => (seen = (await fx.ExecAsync(ns, "egress", "c", "cat", "/tmp/seen")).Trim()).Length > 0, Deadline, "the outside host's answer");

        // Masqueraded: the outside host saw the node's address on its link, not the pod's.
        Assert.Equal(outside.NodeSideIp, seen);
        Assert.NotEqual(pod.Status.PodIP, seen);
    }

    [SkippableFact]
    public async Task APodsFirstStartIsTracedStepByStepUpToItsRunningStatus()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "traced", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """));
        await fx.UntilPodAsync(ns, "traced", p => p.Status?.Phase == "Running", Deadline);
        Skiff.Kubelet.Pods.PodStartTrace? trace = null;
        await RealKubeletFixture.EventuallyAsync(() => Task.FromResult((trace = fx.StartTraces.FirstOrDefault(t => t.Pod == ns + "/traced")) is not null), Deadline, "the start trace");

        var steps = trace!.Steps.Select(kv => kv.Key).ToList();
        Assert.True(steps.IndexOf("sandbox.run") is >= 0 and var run && run < steps.IndexOf("container.create") && steps.IndexOf("container.create") < steps.IndexOf("container.start"), string.Join(",", steps));
        Assert.Equal("status.patch", steps[^1]);
        Assert.True(trace.Total > TimeSpan.Zero);
        Assert.InRange(Math.Abs(trace.Total.TotalMilliseconds - trace.Steps.Sum(kv => kv.Value.TotalMilliseconds)), 0, 0.1);
    }

    [SkippableFact]
    public async Task APodsEtcHostsNamesThePodNotTheNode()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "hosts", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """, extra: """
              subdomain: sub
              hostAliases:
              - ip: 10.1.2.3
                hostnames: [foo.local, bar.local]
            """));
        var pod = await fx.UntilPodAsync(ns, "hosts", p => p.Status?.Phase == "Running", Deadline);

        var hosts = await fx.ExecAsync(ns, "hosts", "c", "cat", "/etc/hosts");

        Assert.StartsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n", hosts, StringComparison.Ordinal);
        Assert.Contains($"\n{pod.Status.PodIP}\thosts.sub.{ns}.svc.cluster.local\thosts\n", hosts, StringComparison.Ordinal);
        Assert.EndsWith("# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n", hosts, StringComparison.Ordinal);
    }
}
