using System.Net;
using k8s.Models;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Proxy.NetworkPolicy;
using Skiff.Proxy.Nftables;
using Skiff.Proxy.Tests.Testing;
using Xunit;

namespace Skiff.Proxy.Tests.NetworkPolicy;

/// <summary>
/// The enforcer against a real API server (no root: the transactions are recorded, not applied), connected as its own
/// identity <c>system:skiff-network-policy</c> so the bootstrap RBAC role is what lets it list and watch: policies,
/// pods and namespace labels flow from the informers into the table; relabelling a peer and deleting the policy
/// re-sync it; the identity may not write.
/// </summary>
public sealed class NetworkPolicyEnforcerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FollowsPoliciesPodsAndNamespacesAsItsOwnIdentity()
    {
        await using var cp = await TestControlPlane.StartAsync();
        using var admin = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 });
        var dir = Directory.CreateTempSubdirectory("skiff-netpol-").FullName;
        try
        {
            var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(cp.DataDirectory, "pki"), "system:skiff-network-policy", []);
            var kubeconfig = Path.Combine(dir, "netpol.kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, KubeconfigWriter.Render(cp.Host.Url, cp.Host.Certificates.CaPem, cert, key, userName: "netpol"));
            using var own = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfig)) with { Qps = 0 });

            var ns = "np-" + Guid.NewGuid().ToString("N")[..6];
            await admin.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = ns } });
            await RunningPodAsync(admin, ns, "web", "app=web", "10.42.0.10", new V1ContainerPort { Name = "http", ContainerPort = 8080 });
            await RunningPodAsync(admin, ns, "client", "role=client", "10.42.0.11");
            await RunningPodAsync(admin, ns, "elsewhere", "app=web", "10.42.1.10", node: "node-b");

            var nft = new RecordingNft();
            await using var enforcer = await NetworkPolicyEnforcer.StartAsync(own, new NetworkPolicyOptions
            {
                NodeName = "node-a",
                Nft = nft,
                MinSyncPeriod = TimeSpan.FromMilliseconds(50),
            }, default);

            var policies = admin.Resource<V1NetworkPolicy, V1NetworkPolicyList>(ns);
            await policies.CreateAsync(Policies.Policy(ns, "allow-client", Policies.Sel("app=web"), null,
                [Policies.From([Policies.Pods("role=client")], Policies.Port("http"))]));
            var set = $"policy-ingress-{ns}/allow-client-0";
            await nft.UntilAsync(s => s.Contains($"add element inet skiff-netpol {set} {{ 10.42.0.11 }}", StringComparison.Ordinal)
                && s.Contains($"ip saddr @{set} ip daddr . meta l4proto . th dport {{ 10.42.0.10 . tcp . 8080 }} accept", StringComparison.Ordinal)
                && s.Contains($"ingress-pods {{ 10.42.0.10 : jump pod-ingress-{ns}/web }}", StringComparison.Ordinal)
                && !s.Contains("10.42.1.10 :", StringComparison.Ordinal), Deadline, "the policy compiled for the local web pod");

            // The client loses its label: no peer left, the web pod only drops.
            var client = await admin.CoreV1().Pods(ns).GetAsync("client");
            client.Metadata.Labels = new Dictionary<string, string> { ["role"] = "other" };
            await admin.CoreV1().Pods(ns).UpdateAsync(client);
            await nft.UntilAsync(s => !s.Contains(set, StringComparison.Ordinal) && s.Contains($"pod-ingress-{ns}/web counter drop", StringComparison.Ordinal),
                Deadline, "the relabelled client out of the peers");

            // Deleting the policy opens the pod again.
            await policies.DeleteAsync("allow-client");
            await nft.UntilAsync(s => !s.Contains("pod-ingress", StringComparison.Ordinal), Deadline, "no isolated pod");
            Assert.True(enforcer.Syncs >= 3);

            // Its role reads; it never writes.
            var e = await Assert.ThrowsAsync<KubernetesApiException>(() => own.Resource<V1NetworkPolicy, V1NetworkPolicyList>(ns)
                .CreateAsync(Policies.Policy(ns, "mine", new V1LabelSelector())));
            Assert.Equal(HttpStatusCode.Forbidden, e.Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<V1Pod> RunningPodAsync(Clientset client, string ns, string name, string labels, string ip, V1ContainerPort? port = null, string node = "node-a")
    {
        var pod = await client.CoreV1().Pods(ns).CreateAsync(new V1Pod
        {
            Metadata = new() { Name = name, Labels = Policies.Labels(labels) },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox", Ports = port is null ? null : [port] }] },
        });
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }] };
        return await client.CoreV1().Pods(ns).UpdateStatusAsync(pod);
    }

    /// <summary>Records each transaction instead of applying it.</summary>
    private sealed class RecordingNft : INftables
    {
        private volatile string _last = "";

        public Task ApplyAsync(string script, CancellationToken ct)
        {
            _last = script;
            return Task.CompletedTask;
        }

        public Task UntilAsync(Func<string, bool> check, TimeSpan deadline, string what) =>
            RealNetwork.EventuallyAsync(() => Task.FromResult(check(_last)), deadline, what, () => Task.FromResult(_last));
    }
}
