using Skiff.Proxy.Model;
using Skiff.Proxy.Nftables;
using Xunit;
using static Skiff.Proxy.Tests.Testing.Services;

namespace Skiff.Proxy.Tests.Nftables;

/// <summary>Rule generation (no root): the transaction for each kind of service, as upstream's nftables proxier_test.go pins it.</summary>
public sealed class NftablesRuleWriterTests
{
    private static readonly Dictionary<string, ServiceObjects> Nothing = new();

    private readonly NftablesRuleWriter _writer = new(new NftablesOptions { ClusterCidr = "10.0.0.0/8", ServiceCidr = "172.30.0.0/16" });

    private static string[] ServiceLines(SyncScript script) =>
        [.. script.Text.Split('\n').Where(l => l.Length > 0 && (l.Contains("ns1/", StringComparison.Ordinal) || l.Contains("ns2/", StringComparison.Ordinal)))];

    [Fact]
    public void ClusterIpWithOneEndpointMatchesUpstreamGolden()
    {
        var script = _writer.Write([new ServicePortState(Port(), [Ready("10.180.0.1")])], null, Nothing, false);
        Assert.Equal(
            [
                "add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80",
                "flush chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80",
                "add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
                "flush chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
                "add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade",
                "add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }",
                "add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade",
                "add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80",
                "add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 comment \"ns1/svc1:p80\" : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }",
            ],
            ServiceLines(script));
        Assert.Contains("add element ip kube-proxy cluster-ips { 172.30.0.41 }\n", script.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void NodePortWithClusterPolicyMasqueradesAndGoesToTheServiceChain()
    {
        var svc = Port("ns2", "svc2", "172.30.0.42") with { NodePort = 3001 };
        var script = _writer.Write([new ServicePortState(svc, [Ready("10.180.0.2")])], null, Nothing, false);
        var lines = ServiceLines(script);
        Assert.Contains("add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 jump mark-for-masquerade", lines);
        Assert.Contains("add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 goto service-42NFTM6N-ns2/svc2/tcp/p80", lines);
        Assert.Contains("add element ip kube-proxy service-nodeports { tcp . 3001 comment \"ns2/svc2:p80\" : goto external-42NFTM6N-ns2/svc2/tcp/p80 }", lines);
        Assert.DoesNotContain(lines, l => l.Contains("no-endpoint", StringComparison.Ordinal));
    }

    [Fact]
    public void ExternalTrafficPolicyLocalShortCircuitsPodAndHostTrafficAndSendsTheRestToLocalEndpoints()
    {
        var svc = Port("ns2", "svc2", "172.30.0.42") with { NodePort = 3001, ExternalLocal = true, ExternalIps = ["192.168.99.11"] };
        var script = _writer.Write([new ServicePortState(svc, [Ready("10.180.0.2", local: true), Ready("10.180.1.2")])], null, Nothing, false);
        var lines = ServiceLines(script);
        Assert.Equal(
            [
                "add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment \"short-circuit pod traffic\"",
                "add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment \"masquerade local traffic\"",
                "add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment \"short-circuit local traffic\"",
                "add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 goto local-42NFTM6N-ns2/svc2/tcp/p80",
            ],
            lines.Where(l => l.StartsWith("add rule ip kube-proxy external-", StringComparison.Ordinal)));
        var local = Assert.Single(lines, l => l.StartsWith("add rule ip kube-proxy local-", StringComparison.Ordinal) && l.Contains("numgen", StringComparison.Ordinal));
        Assert.Contains("mod 1 ", local, StringComparison.Ordinal);
        Assert.Contains("10.180.0.2/80", local, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("add rule ip kube-proxy service-", StringComparison.Ordinal) && l.Contains("numgen random mod 2", StringComparison.Ordinal));
        Assert.Contains("add element ip kube-proxy service-ips { 192.168.99.11 . tcp . 80 comment \"ns2/svc2:p80\" : goto external-42NFTM6N-ns2/svc2/tcp/p80 }", lines);
    }

    [Fact]
    public void ExternalTrafficPolicyLocalWithoutLocalEndpointsDropsExternalTraffic()
    {
        var svc = Port("ns2", "svc2", "172.30.0.42") with { NodePort = 3001, ExternalLocal = true };
        var script = _writer.Write([new ServicePortState(svc, [Ready("10.180.1.2")])], null, Nothing, false);
        var lines = ServiceLines(script);
        Assert.Contains("add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment \"ns2/svc2:p80\" : drop }", lines);
        Assert.Contains("add element ip kube-proxy service-nodeports { tcp . 3001 comment \"ns2/svc2:p80\" : goto external-42NFTM6N-ns2/svc2/tcp/p80 }", lines);
        Assert.DoesNotContain(lines, l => l.Contains("goto local-", StringComparison.Ordinal));
        Assert.Contains("add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 comment \"ns2/svc2:p80\" : goto service-42NFTM6N-ns2/svc2/tcp/p80 }", lines);
    }

    [Fact]
    public void InternalTrafficPolicyLocalUsesOnlyLocalEndpointsAndDropsWithoutThem()
    {
        var svc = Port() with { InternalLocal = true };
        var withLocal = ServiceLines(_writer.Write([new ServicePortState(svc, [Ready("10.180.0.1", local: true), Ready("10.180.1.1")])], null, Nothing, false));
        Assert.Contains("add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 comment \"ns1/svc1:p80\" : goto local-ULMVA6XW-ns1/svc1/tcp/p80 }", withLocal);
        Assert.Contains("add rule ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade", withLocal);
        Assert.DoesNotContain(withLocal, l => l.Contains("10.180.1.1", StringComparison.Ordinal));

        var withoutLocal = ServiceLines(_writer.Write([new ServicePortState(svc, [Ready("10.180.1.1")])], null, Nothing, false));
        Assert.Equal(["add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment \"ns1/svc1:p80\" : drop }"], withoutLocal);
    }

    [Fact]
    public void NoEndpointsRejectsTheClusterIpAndTheNodePort()
    {
        var svc = Port() with { NodePort = 3001 };
        var lines = ServiceLines(_writer.Write([new ServicePortState(svc, [NotReady("10.180.0.1"), Terminating("10.180.0.2", serving: false)])], null, Nothing, false));
        Assert.Equal(
            [
                "add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment \"ns1/svc1:p80\" : goto reject-chain }",
                "add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment \"ns1/svc1:p80\" : goto reject-chain }",
            ],
            lines);
    }

    [Fact]
    public void OnlyReadyEndpointsServeWhileAnyIsReady()
    {
        var lines = ServiceLines(_writer.Write([new ServicePortState(Port(), [Ready("10.180.0.1"), NotReady("10.180.0.2"), Terminating("10.180.0.3")])], null, Nothing, false));
        var balance = Assert.Single(lines, l => l.Contains("numgen", StringComparison.Ordinal));
        Assert.Equal("add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }", balance);
        Assert.DoesNotContain(lines, l => l.Contains("10.180.0.2", StringComparison.Ordinal) || l.Contains("10.180.0.3", StringComparison.Ordinal));
    }

    [Fact]
    public void ServingTerminatingEndpointsAreTheFallbackWhenNoneIsReady()
    {
        var lines = ServiceLines(_writer.Write([new ServicePortState(Port(), [NotReady("10.180.0.2"), Terminating("10.180.0.3"), Terminating("10.180.0.4", serving: false)])], null, Nothing, false));
        var balance = Assert.Single(lines, l => l.Contains("numgen", StringComparison.Ordinal));
        Assert.Contains("mod 1 vmap", balance, StringComparison.Ordinal);
        Assert.Contains("10.180.0.3/80", balance, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientIpAffinityUsesADynamicSetPerEndpoint()
    {
        var svc = Port() with { AffinityTimeoutSeconds = 600 };
        var script = _writer.Write([new ServicePortState(svc, [Ready("10.180.0.1"), Ready("10.180.0.2")])], null, Nothing, false);
        var lines = ServiceLines(script);
        var sets = lines.Where(l => l.StartsWith("add set", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sets.Count);
        Assert.All(sets, s => Assert.EndsWith("{ type ipv4_addr ; flags dynamic,timeout ; timeout 600s ; }", s, StringComparison.Ordinal));
        var service = lines.Where(l => l.StartsWith("add rule ip kube-proxy service-", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, service.Count);
        Assert.Matches(@"ip saddr @affinity-\w+-ns1/svc1/tcp/p80__10\.180\.0\.1/80 goto endpoint-\w+-ns1/svc1/tcp/p80__10\.180\.0\.1/80$", service[1]);
        Assert.Contains("numgen random mod 2", service[3], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("endpoint-", StringComparison.Ordinal) && l.EndsWith("update @" + sets[0].Split(' ')[4] + " { ip saddr }", StringComparison.Ordinal));
        Assert.Equal(2, script.Objects["ns1/svc1"].Sets.Count);
    }

    [Fact]
    public void PartialSyncRewritesOnlyChangedServicesAndDeletesWhatIsGone()
    {
        var a = new ServicePortState(Port("ns1", "a", "172.30.0.1"), [Ready("10.180.0.1"), Ready("10.180.0.2")]);
        var b = new ServicePortState(Port("ns1", "b", "172.30.0.2"), [Ready("10.180.0.3")]);
        var c = new ServicePortState(Port("ns1", "c", "172.30.0.3"), [Ready("10.180.0.4")]);
        var first = _writer.Write([a, b, c], null, Nothing, true);
        Assert.StartsWith("add table ip kube-proxy\ndelete table ip kube-proxy\n", first.Text, StringComparison.Ordinal);

        // a loses an endpoint, c is deleted, b is untouched.
        var a2 = a with { Endpoints = [Ready("10.180.0.1")] };
        var second = _writer.Write([a2, b], new HashSet<string> { "ns1/a", "ns1/c" }, first.Objects, false);
        var lines = second.Text.Split('\n');
        Assert.DoesNotContain("delete table ip kube-proxy", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("add rule", StringComparison.Ordinal) && l.Contains("ns1/b/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("add rule", StringComparison.Ordinal) && l.Contains("ns1/a/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("add element ip kube-proxy service-ips { 172.30.0.2 ", StringComparison.Ordinal));
        var deleted = lines.Where(l => l.StartsWith("delete chain", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, deleted.Count);
        Assert.Single(deleted, l => l.Contains("ns1/a/tcp/p80__10.180.0.2/80", StringComparison.Ordinal));
        Assert.Equal(2, deleted.Count(l => l.Contains("ns1/c/", StringComparison.Ordinal)));
        Assert.All(deleted, d => Assert.Contains("flush" + d["delete".Length..], lines));
        Assert.False(second.Objects.ContainsKey("ns1/c"));
    }

    [Fact]
    public void MasqueradeAllMarksEveryClusterIpPacket()
    {
        var writer = new NftablesRuleWriter(new NftablesOptions { MasqueradeAll = true });
        var lines = ServiceLines(writer.Write([new ServicePortState(Port(), [Ready("10.180.0.1")])], null, Nothing, false));
        Assert.Contains("add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 jump mark-for-masquerade", lines);
    }

    [Fact]
    public void BaseChainsHookAtUpstreamPrioritiesAndMasqueradeWithTheMark()
    {
        var text = _writer.Write([], null, Nothing, false).Text;
        Assert.Contains("add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority dstnat ; }\n", text, StringComparison.Ordinal);
        Assert.Contains("add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }\n", text, StringComparison.Ordinal);
        Assert.Contains("add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority srcnat ; }\n", text, StringComparison.Ordinal);
        Assert.Contains("add rule ip kube-proxy mark-for-masquerade meta mark set meta mark | 0x4000\n", text, StringComparison.Ordinal);
        Assert.Contains("add rule ip kube-proxy masquerading meta mark & 0x4000 == 0 return\n", text, StringComparison.Ordinal);
        Assert.Contains("add rule ip kube-proxy masquerading masquerade fully-random\n", text, StringComparison.Ordinal);
        Assert.Contains("add rule ip kube-proxy cluster-ips-check ip daddr 172.30.0.0/16 drop comment \"Drop traffic to unallocated ClusterIPs\"\n", text, StringComparison.Ordinal);
        Assert.Equal("add table ip kube-proxy\ndelete table ip kube-proxy\n", _writer.Cleanup());
    }
}
