using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The cluster DNS seen from a real pod: <c>skiff up --runtime auto</c> with the DNS on all addresses (a free port), a
/// busybox pod whose <c>/etc/resolv.conf</c> the kubelet wrote for ClusterFirst, resolving cluster names by asking the
/// DNS server's pod-facing address (the kube-dns endpoints: the bridge gateway) directly. Routing the ClusterIP 10.0.0.10 to it is
/// kube-proxy's part. Run under <c>flock /tmp/skiff-realnode.lock</c>; skipped where containerd cannot run.
/// </summary>
[Collection(RealNodeCollection.Name)] // one skiff up on the real node at a time: they share cni0, 10.42.0.0/24 and :10250
public sealed class RealNodeDnsTests
{
    [SkippableFact]
    public async Task APodGetsTheClusterResolvConfAndResolvesClusterNames()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Skip.IfNot(ContainerdSupervisor.CanStart() && SkiffImages.CanBuild, "REAL NODE TEST SKIPPED: needs root, /usr/bin/containerd and busybox-static");
        var dir = Path.Combine("/tmp", "sk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffImages.BuildBusyboxAsync(Path.Combine(dir, "images", "busybox.tar"), default);
        await using var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "auto", "--cluster-dns-bind", "0.0.0.0:0"]);
        async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out;
        var node = Environment.MachineName.ToLowerInvariant();
        await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
        var ip = await Ok("get", "endpoints", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.subsets[0].addresses[0].ip}");
        var port = await Ok("get", "endpoints", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.subsets[0].ports[0].port}");
        Assert.Equal("10.42.0.1", ip); // the CNI bridge's gateway

        var server = ip + ":" + port;
        await Ok("run", "dnsclient", "--image=docker.io/library/busybox:latest", "--image-pull-policy=IfNotPresent", "--restart=Never", "--", "sh", "-c",
            "cat /etc/resolv.conf; echo ---; for i in $(seq 60); do nslookup kubernetes.default.svc.cluster.local " + server + " > /tmp/out 2>&1 && break; sleep 1; done; cat /tmp/out; echo ---; " +
            "nslookup kube-dns.kube-system.svc.cluster.local " + server + "; echo ---; nslookup nothere.default.svc.cluster.local " + server + "; true");
        await Ok("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/dnsclient", "--timeout=120s");
        var parts = (await Ok("logs", "dnsclient")).Split("---\n");
        Assert.True(parts.Length == 4, string.Join("\n===\n", parts));
        var resolv = parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("nameserver 10.0.0.10", resolv);
        Assert.Contains(resolv, l => l.StartsWith("search default.svc.cluster.local svc.cluster.local cluster.local", StringComparison.Ordinal));
        Assert.Contains("options ndots:5", resolv);
        Assert.Matches(@"Address:\s*10\.0\.0\.1\b", parts[1]);
        Assert.Matches(@"Address:\s*10\.0\.0\.10\b", parts[2]);
        Assert.Contains("NXDOMAIN", parts[3]);
    }
}
