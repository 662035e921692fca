using System.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Dns.Tests.Testing;

namespace Skiff.Dns.Tests;

/// <summary>The whole cluster DNS against a real in-process API server: informers, kube-dns, the real kubectl.</summary>
public sealed class ClusterDnsTests
{
    [Fact]
    public async Task ServesTheClusterFromTheApiAndPublishesKubeDnsThatClusterInfoPrints()
    {
        await using var cp = await TestControlPlane.StartAsync();
        using var upstream = new UpstreamResolver();
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 };
        await using var dns = new ClusterDns(new ClusterDnsOptions
        {
            Client = config,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            Upstreams = [upstream.Endpoint],
        });
        await dns.StartAsync(null, CancellationToken.None);
        Assert.Equal("127.0.0.1", dns.AdvertisedAddress);

        using var client = new Clientset(config);
        var svc = await client.CoreV1().Services("kube-system").GetAsync("kube-dns");
        Assert.Equal("10.0.0.10", svc.Spec.ClusterIP);
        Assert.Equal("true", svc.Metadata.Labels["kubernetes.io/cluster-service"]);
        Assert.Equal(["dns/53/UDP", "dns-tcp/53/TCP", "metrics/9153/TCP"], svc.Spec.Ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}"));
        var ep = await client.CoreV1().Endpoints("kube-system").GetAsync("kube-dns");
        Assert.Equal("127.0.0.1", Assert.Single(Assert.Single(ep.Subsets).Addresses).Ip);
        Assert.All(ep.Subsets[0].Ports, p => Assert.Equal(dns.Endpoint.Port, p.Port));

        // The zone holds what the informers listed: kube-dns itself.
        var kubeDns = await DnsProbe.QueryAsync(dns.Endpoint, "udp", "kube-dns.kube-system.svc.cluster.local", RecordType.A);
        Assert.Equal(["10.0.0.10"], DnsProbe.Addresses(kubeDns));

        // A headless service created afterwards appears through the watch.
        await client.CoreV1().Services("default").CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Name = "pg", Port = 5432 }], Selector = new Dictionary<string, string> { ["app"] = "db" } },
        });
        await client.Resource<V1EndpointSlice, V1EndpointSliceList>("default").CreateAsync(ZoneObjects.Slice("default", "db", "db-x", [("10.42.0.30", "db-0", true)], ("pg", 5432, "TCP")));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        IReadOnlyList<string> got = [];
        while (DateTime.UtcNow < deadline && got.Count == 0)
        {
            got = DnsProbe.Addresses(await DnsProbe.QueryAsync(dns.Endpoint, "tcp", "db-0.db.default.svc.cluster.local", RecordType.A));
        }

        Assert.Equal(["10.42.0.30"], got);

        // The REAL kubectl finds KubeDNS the way upstream's cluster-info does (label cluster-service, port named dns).
        var (exit, output, err) = await new Kubectl(cp.KubeconfigPath).RunAsync(["cluster-info"]);
        Assert.True(exit == 0, err);
        Assert.Contains($"KubeDNS is running at {cp.BaseAddress.ToString().TrimEnd('/')}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy", StripAnsi(output));
    }

    [Fact]
    public async Task CorrectsKubeDnsEndpointsThatDrifted()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 };
        await using var dns = new ClusterDns(new ClusterDnsOptions
        {
            Client = config,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            AdvertiseAddress = "10.42.0.1",
            Upstreams = [],
            ReconcilePeriod = TimeSpan.FromMilliseconds(200),
        });
        await dns.StartAsync(null, CancellationToken.None);
        using var client = new Clientset(config);
        var endpoints = client.CoreV1().Endpoints("kube-system");
        var ep = await endpoints.GetAsync("kube-dns");
        ep.Subsets[0].Addresses[0].Ip = "10.42.0.99";
        await endpoints.UpdateAsync(ep);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var ip = "10.42.0.99";
        while (DateTime.UtcNow < deadline && ip != "10.42.0.1")
        {
            ip = (await endpoints.GetAsync("kube-dns")).Subsets[0].Addresses[0].Ip;
        }

        Assert.Equal("10.42.0.1", ip);
    }

    private static string StripAnsi(string s) => System.Text.RegularExpressions.Regex.Replace(s, "\u001b\\[[0-9;]*m", "");
}
