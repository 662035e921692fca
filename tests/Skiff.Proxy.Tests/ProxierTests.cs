using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Proxy.Nftables;
using Skiff.Proxy.Tests.Testing;
using Xunit;

namespace Skiff.Proxy.Tests;

/// <summary>
/// The proxier on real netfilter (root; run under <c>flock /tmp/skiff-realnode.lock</c>): an in-process API server, a
/// Service whose EndpointSlices point at TCP servers on the host's address, and connections from the host through the
/// ClusterIP and the NodePort. Each test owns a table of its own and removes it.
/// </summary>
public sealed class ProxierTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task ServesClusterIpAndNodePortBalancesFollowsReadinessAffinityAndRejectsWithoutEndpoints()
    {
        Skip.If(RealNetwork.SkipReason is not null, RealNetwork.SkipReason);
        var hostIp = RealNetwork.HostIp()!;
        await using var cp = await TestControlPlane.StartAsync();
        using var client = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 });
        await using var a = new NameServer(hostIp, "A");
        await using var b = new NameServer(hostIp, "B");
        var table = "kp-test-" + Guid.NewGuid().ToString("N")[..6];
        var rules = new NftablesOptions { TableName = table, ServiceCidr = null };
        var ns = "t-" + Guid.NewGuid().ToString("N")[..6];
        var proxier = await Proxier.StartAsync(client, new ProxierOptions
        {
            NodeName = "node-a",
            OnlyNamespace = ns,
            Nftables = rules,
            MinSyncPeriod = TimeSpan.FromMilliseconds(100),
            HealthzPort = 0,
            MetricsPort = 0,
        }, default);
        try
        {
            await client.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = ns } });
            var svc = await client.CoreV1().Services(ns).CreateAsync(new V1Service
            {
                Metadata = new() { Name = "web" },
                Spec = new V1ServiceSpec { Type = "NodePort", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }] },
            });
            var (cip, nodePort) = (svc.Spec.ClusterIP, svc.Spec.Ports[0].NodePort!.Value);

            // No endpoints yet: REJECT (icmp port-unreachable → connection refused).
            await RealNetwork.EventuallyAsync(async () => await RealNetwork.TryReadAsync(cip, 80) == "ConnectionRefused", Deadline, "a REJECT without endpoints");

            var slices = client.Resource<V1EndpointSlice, V1EndpointSliceList>(ns);
            await slices.CreateAsync(Slice("web-a", a.Port, hostIp.ToString(), ready: true));
            await slices.CreateAsync(Slice("web-b", b.Port, hostIp.ToString(), ready: true));

            // Both endpoints answer through the ClusterIP, and the NodePort answers on the host's address.
            var seen = new HashSet<string>();
            await RealNetwork.EventuallyAsync(async () =>
            {
                seen.Add(await RealNetwork.TryReadAsync(cip, 80));
                return seen.Contains("A") && seen.Contains("B");
            }, Deadline, "both endpoints through the ClusterIP", () => Describe(table, seen));
            Assert.Contains(await RealNetwork.ReadAsync(hostIp.ToString(), nodePort), new[] { "A", "B" });

            // ClientIP affinity: every connection from this host lands on one endpoint.
            svc = await client.CoreV1().Services(ns).GetAsync("web");
            svc.Spec.SessionAffinity = "ClientIP";
            await client.CoreV1().Services(ns).UpdateAsync(svc);
            await RealNetwork.EventuallyAsync(async () =>
            {
                var answers = new HashSet<string>();
                for (var i = 0; i < 12; i++)
                {
                    answers.Add(await RealNetwork.TryReadAsync(cip, 80));
                }

                return answers.Count == 1 && !answers.Contains("ConnectionRefused");
            }, Deadline, "session affinity");

            // A not-ready endpoint gets no traffic.
            svc = await client.CoreV1().Services(ns).GetAsync("web");
            svc.Spec.SessionAffinity = "None";
            await client.CoreV1().Services(ns).UpdateAsync(svc);
            var sliceB = await slices.GetAsync("web-b");
            sliceB.Endpoints[0].Conditions = new V1EndpointConditions { Ready = false, Serving = false, Terminating = false };
            await slices.UpdateAsync(sliceB);
            await RealNetwork.EventuallyAsync(async () =>
            {
                for (var i = 0; i < 16; i++)
                {
                    if (await RealNetwork.TryReadAsync(cip, 80) != "A")
                    {
                        return false;
                    }
                }

                return true;
            }, Deadline, "only the ready endpoint answering");

            // Every endpoint gone: REJECT again, on the ClusterIP and the NodePort.
            await slices.DeleteAsync("web-a");
            await slices.DeleteAsync("web-b");
            await RealNetwork.EventuallyAsync(async () => await RealNetwork.TryReadAsync(cip, 80) == "ConnectionRefused", Deadline, "a REJECT after the endpoints left");
            Assert.Equal("ConnectionRefused", await RealNetwork.TryReadAsync(hostIp.ToString(), nodePort));
            Assert.True(proxier.Metrics.SyncDuration.Count > 1);
            Assert.True(proxier.Health.IsHealthy());
        }
        finally
        {
            await proxier.DisposeAsync();
            await Proxier.CleanupAsync(rules, null, default);
        }

        var (code, _, _) = await new NftCommand().RunAsync(["list", "table", "ip", table], null, default);
        Assert.NotEqual(0, code);
    }

    [SkippableFact]
    public async Task GeneratedTransactionsPassNftsOwnCheck()
    {
        Skip.If(RealNetwork.SkipReason is not null, RealNetwork.SkipReason);
        var writer = new NftablesRuleWriter(new NftablesOptions { TableName = "kp-check-" + Guid.NewGuid().ToString("N")[..6] });
        var svc = Services.Port() with { NodePort = 30080, ExternalIps = ["192.168.99.1"], AffinityTimeoutSeconds = 60, ExternalLocal = true, HealthCheckNodePort = 30081 };
        var script = writer.Write(
            [
                new(svc, [Services.Ready("10.42.0.5", local: true), Services.Ready("10.42.1.5"), Services.Terminating("10.42.0.6")]),
                new(Services.Port("ns2", "svc2", "10.0.0.22") with { InternalLocal = true, Protocol = "udp" }, [Services.Ready("10.42.0.7", 53, local: true)]),
                new(Services.Port("ns2", "empty", "10.0.0.23") with { NodePort = 30090 }, []),
            ], null, new Dictionary<string, ServiceObjects>(), true);
        var (code, _, error) = await new NftCommand().RunAsync(["-c", "-f", "-"], script.Text, default);
        Assert.True(code == 0, error);
    }

    private static async Task<string> Describe(string table, IEnumerable<string> seen)
    {
        var (_, listing, _) = await new NftCommand().RunAsync(["list", "table", "ip", table], null, default);
        return $"seen [{string.Join(", ", seen)}]; table:\n{listing}";
    }

    private static V1EndpointSlice Slice(string name, int port, string ip, bool ready) => new()
    {
        Metadata = new() { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Port = port, Protocol = "TCP", Name = "" }],
        Endpoints = [new V1Endpoint { Addresses = [ip], Conditions = new V1EndpointConditions { Ready = ready, Serving = ready, Terminating = false }, NodeName = "node-a" }],
    };
}
