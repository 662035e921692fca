using k8s.Models;
using Skiff.Kubelet.Pods;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

/// <summary>Pods' resolv.conf per dnsPolicy, as upstream's <c>pkg/kubelet/network/dns</c> forms it.</summary>
public sealed class PodDnsTests
{
    private const string HostResolv = "# generated\nnameserver 192.0.2.53\nnameserver 192.0.2.54 ; second\nsearch corp.example lab.example.\noptions edns0 ndots:2\n";
    private static readonly string[] ClusterDns = ["10.0.0.10"];

    [Fact]
    public void ClusterFirst_UsesTheClusterDnsAndSearchesTheNamespaceThenTheHost()
    {
        var r = PodDns.Configure(Pod("ClusterFirst"), ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["10.0.0.10"], r.Config.Servers);
        Assert.Equal(["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example"], r.Config.Searches);
        Assert.Equal(["ndots:5"], r.Config.Options);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void NoPolicy_IsClusterFirst()
    {
        var r = PodDns.Configure(Pod(null), ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["10.0.0.10"], r.Config.Servers);
    }

    [Fact]
    public void ClusterFirst_OnTheHostNetwork_IsDefault()
    {
        var r = PodDns.Configure(Pod("ClusterFirst", hostNetwork: true), ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["192.0.2.53", "192.0.2.54"], r.Config.Servers);
    }

    [Fact]
    public void ClusterFirstWithHostNet_UsesTheClusterDnsOnTheHostNetwork()
    {
        var r = PodDns.Configure(Pod("ClusterFirstWithHostNet", hostNetwork: true), ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["10.0.0.10"], r.Config.Servers);
        Assert.Equal("shop.svc.cluster.local", r.Config.Searches[0]);
    }

    [Fact]
    public void Default_IsTheHostsResolvConf()
    {
        var r = PodDns.Configure(Pod("Default"), ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["192.0.2.53", "192.0.2.54"], r.Config.Servers);
        Assert.Equal(["corp.example", "lab.example"], r.Config.Searches);
        Assert.Equal(["edns0", "ndots:2"], r.Config.Options);
    }

    [Fact]
    public void ClusterFirst_WithoutAClusterDns_FallsBackToDefaultWithAWarning()
    {
        var r = PodDns.Configure(Pod("ClusterFirst"), [], "cluster.local", HostResolv);
        Assert.Equal(["192.0.2.53", "192.0.2.54"], r.Config.Servers);
        Assert.Equal("MissingClusterDNS", Assert.Single(r.Warnings).Reason);
    }

    [Fact]
    public void None_IsOnlyTheDnsConfig()
    {
        var pod = Pod("None");
        pod.Spec.DnsConfig = new V1PodDNSConfig
        {
            Nameservers = ["1.1.1.1"],
            Searches = ["my.dns.search.suffix"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "edns0" }],
        };
        var r = PodDns.Configure(pod, ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["1.1.1.1"], r.Config.Servers);
        Assert.Equal(["my.dns.search.suffix"], r.Config.Searches);
        Assert.Equal(["ndots:2", "edns0"], r.Config.Options);
    }

    [Fact]
    public void DnsConfig_IsMergedIntoClusterFirst_WithoutDuplicates_AndThePodsOptionWins()
    {
        var pod = Pod("ClusterFirst");
        pod.Spec.DnsConfig = new V1PodDNSConfig
        {
            Nameservers = ["10.0.0.10", "192.0.2.99"],
            Searches = ["svc.cluster.local", "extra.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "1" }, new V1PodDNSConfigOption { Name = "single-request-reopen" }],
        };
        var r = PodDns.Configure(pod, ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["10.0.0.10", "192.0.2.99"], r.Config.Servers);
        Assert.Equal(["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example", "extra.example"], r.Config.Searches);
        Assert.Equal(["ndots:1", "single-request-reopen"], r.Config.Options);
    }

    [Fact]
    public void MoreThanThreeNameservers_AreCutToThree()
    {
        var pod = Pod("ClusterFirst");
        pod.Spec.DnsConfig = new V1PodDNSConfig { Nameservers = ["1.1.1.1", "2.2.2.2", "3.3.3.3"] };
        var r = PodDns.Configure(pod, ClusterDns, "cluster.local", HostResolv);
        Assert.Equal(["10.0.0.10", "1.1.1.1", "2.2.2.2"], r.Config.Servers);
        Assert.Contains(r.Warnings, w => w.Reason == "DNSConfigForming" && w.Message.EndsWith("the applied nameserver line is: 10.0.0.10 1.1.1.1 2.2.2.2", StringComparison.Ordinal));
    }

    [Fact]
    public void MoreThan32SearchPaths_AreCutTo32()
    {
        var pod = Pod("None");
        pod.Spec.DnsConfig = new V1PodDNSConfig { Searches = Enumerable.Range(0, 40).Select(i => $"s{i}.example").ToList() };
        var r = PodDns.Configure(pod, ClusterDns, "cluster.local", null);
        Assert.Equal(32, r.Config.Searches.Count);
        Assert.Equal("s31.example", r.Config.Searches[^1]);
        Assert.Equal("DNSConfigForming", Assert.Single(r.Warnings).Reason);
    }

    [Fact]
    public void ASearchLineOver2048Chars_LosesPathsFromTheEnd_AndPathsOver253AreDropped()
    {
        var pod = Pod("None");
        var longLabel = new string('a', 60);
        var path = string.Join(".", Enumerable.Repeat(longLabel, 4)); // 243 characters
        var tooLong = path + ".abcdefghijk"; // 255 characters
        pod.Spec.DnsConfig = new V1PodDNSConfig { Searches = [.. Enumerable.Range(0, 9).Select(i => i + path), tooLong] };
        var r = PodDns.Configure(pod, ClusterDns, "cluster.local", null);
        Assert.DoesNotContain(tooLong, r.Config.Searches);
        Assert.True(string.Join(" ", r.Config.Searches).Length <= PodDns.MaxSearchListChars);
        Assert.Equal(8, r.Config.Searches.Count); // 9 × 245 characters (with spaces) exceed 2048; 8 fit
        Assert.Equal("7" + path, r.Config.Searches[^1]);
    }

    [Fact]
    public void ResolvConf_LastSearchLineWins_AndOptionsMergeByName()
    {
        var (servers, searches, options) = PodDns.ParseResolvConf("search a.example\nsearch b.example .\nnameserver 192.0.2.1\noptions ndots:1 rotate\noptions ndots:3\n");
        Assert.Equal(["192.0.2.1"], servers);
        Assert.Equal(["b.example"], searches);
        Assert.Equal(["ndots:3", "rotate"], options);
    }

    [Fact]
    public void Sandbox_CarriesTheDnsConfig_FromTheKubeletsFlags()
    {
        var dir = Directory.CreateTempSubdirectory("skiff-dns-");
        try
        {
            var resolv = Path.Combine(dir.FullName, "resolv.conf");
            File.WriteAllText(resolv, HostResolv);
            var options = new KubeletOptions { NodeName = "n", RootDirectory = dir.FullName, ClusterDns = "10.0.0.10", ClusterDomain = "corp.local", ResolvConf = resolv };
            var pod = Pod("ClusterFirst");
            pod.Metadata.Uid = "u1";
            var sandbox = PodConfigFactory.Sandbox(pod, 0, options);
            Assert.Equal(["10.0.0.10"], sandbox.DnsConfig.Servers);
            Assert.Equal(["shop.svc.corp.local", "svc.corp.local", "corp.local", "corp.example", "lab.example"], sandbox.DnsConfig.Searches);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static V1Pod Pod(string? policy, bool hostNetwork = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "shop" },
        Spec = new V1PodSpec { DnsPolicy = policy, HostNetwork = hostNetwork, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };
}
