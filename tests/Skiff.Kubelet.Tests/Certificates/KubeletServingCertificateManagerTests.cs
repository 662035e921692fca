using System.Net;
using k8s.Models;
using Skiff.Kubelet.Certificates;
using Xunit;

namespace Skiff.Kubelet.Tests.Certificates;

/// <summary>The serving request's SANs, after upstream's <c>TestAddressesToHostnamesAndIPs</c>.</summary>
public sealed class KubeletServingCertificateManagerTests
{
    public static TheoryData<string, string[], string[], string[]> Cases => new()
    {
        // name, addresses "Type=Address", DNS SANs, IP SANs
        { "none", [], [], [] },
        { "empty values ignored", ["Hostname=", "InternalIP=", "ExternalDNS="], [], [] },
        { "invalid IPs ignored", ["InternalIP=1.2", "ExternalIP=not-an-ip"], [], [] },
        { "duplicates once", ["Hostname=h1", "InternalDNS=h1", "InternalIP=10.0.0.1", "ExternalIP=10.0.0.1"], ["h1"], ["10.0.0.1"] },
        { "order kept", ["ExternalDNS=h2", "Hostname=h1", "ExternalIP=10.0.0.2", "InternalIP=10.0.0.1"], ["h2", "h1"], ["10.0.0.2", "10.0.0.1"] },
        { "a hostname that is an IP", ["Hostname=192.168.1.5", "InternalIP=192.168.1.5"], [], ["192.168.1.5"] },
        { "IPv6", ["InternalIP=fd00::1", "Hostname=node"], ["node"], ["fd00::1"] },
        { "unknown types ignored", ["Other=x"], [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostnamesAndIps_AreUpstreams(string name, string[] addresses, string[] dns, string[] ips)
    {
        var (gotDns, gotIps) = KubeletServingCertificateManager.HostnamesAndIps(
            addresses.Select(a => a.Split('=', 2)).Select(p => new V1NodeAddress { Type = p[0], Address = p[1] }));
        Assert.True(dns.SequenceEqual(gotDns), name);
        Assert.Equal(ips.Select(IPAddress.Parse), gotIps);
    }
}
