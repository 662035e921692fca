using k8s.Models;
using Skiff.Proxy.NetworkPolicy;
using Xunit;
using static Skiff.Proxy.Tests.Testing.Policies;

namespace Skiff.Proxy.Tests.NetworkPolicy;

/// <summary>
/// The NetworkPolicy compiler (no root): policy set → nft text, with the cases of upstream's netpol e2e semantics
/// (test/e2e/network/netpol): default deny, allow from a namespace, from pods of another namespace, ipBlock with
/// except, named ports, egress deny with DNS allowed, both policy types.
/// </summary>
public sealed class NetworkPolicyRuleWriterTests
{
    private const string T = "add rule inet skiff-netpol ";

    private static readonly PolicyPod Web = Pod("prod", "web", "10.42.0.10", "app=web", ports: new PolicyPod.NamedPort("http", "TCP", 8080));
    private static readonly PolicyPod Db = Pod("prod", "db", "10.42.0.11", "app=db");
    private static readonly PolicyPod ProdClient = Pod("prod", "client", "10.42.0.12", "role=client");
    private static readonly PolicyPod OpsClient = Pod("ops", "client", "10.42.0.20", "role=client");
    private static readonly PolicyPod OpsOther = Pod("ops", "other", "10.42.0.22", "role=other");
    private static readonly PolicyPod Remote = Pod("prod", "remote", "10.42.1.5", "app=web", local: false, ports: new PolicyPod.NamedPort("http", "TCP", 9090));
    private static readonly PolicyPod[] All = [Web, Db, ProdClient, OpsClient, OpsOther, Remote];
    private static readonly (string, string)[] Namespaces = [("prod", "kubernetes.io/metadata.name=prod"), ("ops", "kubernetes.io/metadata.name=ops,team=ops")];

    private readonly NetworkPolicyRuleWriter _writer = new();

    private PolicyScript Write(params V1NetworkPolicy[] policies) => _writer.Write(Input(policies, All, Namespaces));

    private static string[] Lines(PolicyScript s) => s.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void NoPolicyLeavesEveryPodOpen()
    {
        var script = Write();
        Assert.Equal(
            [
                "add table inet skiff-netpol",
                "delete table inet skiff-netpol",
                "add table inet skiff-netpol",
                "add map inet skiff-netpol ingress-pods { type ipv4_addr : verdict ; }",
                "add map inet skiff-netpol egress-pods { type ipv4_addr : verdict ; }",
                "add chain inet skiff-netpol egress-forward { type filter hook forward priority 0 ; policy accept ; }",
                T + "egress-forward ct state established,related accept",
                T + "egress-forward ip saddr vmap @egress-pods",
                "add chain inet skiff-netpol egress-input { type filter hook input priority 0 ; policy accept ; }",
                T + "egress-input ct state established,related accept",
                T + "egress-input ip saddr vmap @egress-pods",
                "add chain inet skiff-netpol ingress-forward { type filter hook forward priority 1 ; policy accept ; }",
                T + "ingress-forward ct state established,related accept",
                T + "ingress-forward ip daddr vmap @ingress-pods",
            ],
            Lines(script));
        Assert.Equal((0, 0), (script.IngressIsolatedPods, script.EgressIsolatedPods));
    }

    [Fact]
    public void DefaultDenyIngressIsolatesEveryLocalPodOfTheNamespace()
    {
        var script = Write(Policy("prod", "deny", new V1LabelSelector(), ["Ingress"]));
        var lines = Lines(script);
        Assert.Equal(
            [
                "add chain inet skiff-netpol pod-ingress-prod/client",
                "add chain inet skiff-netpol pod-ingress-prod/db",
                "add chain inet skiff-netpol pod-ingress-prod/web",
                T + "pod-ingress-prod/client ip saddr 10.42.0.12 accept comment \"a pod reaches itself\"",
                T + "pod-ingress-prod/client counter drop",
                T + "pod-ingress-prod/db ip saddr 10.42.0.11 accept comment \"a pod reaches itself\"",
                T + "pod-ingress-prod/db counter drop",
                T + "pod-ingress-prod/web ip saddr 10.42.0.10 accept comment \"a pod reaches itself\"",
                T + "pod-ingress-prod/web counter drop",
                "add element inet skiff-netpol ingress-pods { 10.42.0.12 : jump pod-ingress-prod/client }",
                "add element inet skiff-netpol ingress-pods { 10.42.0.11 : jump pod-ingress-prod/db }",
                "add element inet skiff-netpol ingress-pods { 10.42.0.10 : jump pod-ingress-prod/web }",
            ],
            lines.Where(l => l.Contains("pod-", StringComparison.Ordinal)));

        // Other namespaces, pods of other nodes and the egress direction stay open.
        Assert.DoesNotContain(lines, l => l.Contains("ops/", StringComparison.Ordinal) || l.Contains("remote", StringComparison.Ordinal) || l.StartsWith("add element inet skiff-netpol egress-pods", StringComparison.Ordinal));
        Assert.Equal((3, 0), (script.IngressIsolatedPods, script.EgressIsolatedPods));
    }

    public static TheoryData<string, V1NetworkPolicy, string[]> IngressCases => new()
    {
        {
            "allow from namespace",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From([Namespaces("team=ops")])]),
            [
                "add set inet skiff-netpol policy-ingress-prod/p-0 { type ipv4_addr ; flags interval ; }",
                "add element inet skiff-netpol policy-ingress-prod/p-0 { 10.42.0.20, 10.42.0.22 }",
                T + "policy-ingress-prod/p ip saddr @policy-ingress-prod/p-0 accept",
            ]
        },
        {
            "allow from pods of another namespace (both selectors in one peer)",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From([Namespaces("team=ops", "role=client")])]),
            ["add element inet skiff-netpol policy-ingress-prod/p-0 { 10.42.0.20 }"]
        },
        {
            "a pod selector alone means the policy's namespace",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From([Pods("role=client")])]),
            ["add element inet skiff-netpol policy-ingress-prod/p-0 { 10.42.0.12 }"]
        },
        {
            "two peers are a union",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From([Pods("role=client"), Namespaces("team=ops", "role=other")])]),
            ["add element inet skiff-netpol policy-ingress-prod/p-0 { 10.42.0.12, 10.42.0.22 }"]
        },
        {
            "ipBlock with except",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From([Block("10.0.0.0/8", "10.42.0.0/16", "10.1.2.0/24")])]),
            ["add element inet skiff-netpol policy-ingress-prod/p-0 { 10.0.0.0-10.1.1.255, 10.1.3.0-10.41.255.255, 10.43.0.0-10.255.255.255 }"]
        },
        {
            "numeric ports, endPort and protocols",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From(null, Port("80"), Port("8000", endPort: 8080), Port("53", "UDP"), Port(null, "SCTP"))]),
            [
                T + "policy-ingress-prod/p meta l4proto sctp accept",
                T + "policy-ingress-prod/p meta l4proto tcp th dport { 80, 8000-8080 } accept",
                T + "policy-ingress-prod/p meta l4proto udp th dport { 53 } accept",
            ]
        },
        {
            "named port resolved on the isolated pod",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From([Pods("role=client")], Port("http"))]),
            [T + "policy-ingress-prod/p ip saddr @policy-ingress-prod/p-0 ip daddr . meta l4proto . th dport { 10.42.0.10 . tcp . 8080 } accept"]
        },
        {
            "an empty rule allows everything",
            Policy("prod", "p", Sel("app=web"), ["Ingress"], [From(null)]),
            [T + "policy-ingress-prod/p accept", T + "pod-ingress-prod/web jump policy-ingress-prod/p"]
        },
    };

    [Theory]
    [MemberData(nameof(IngressCases))]
    public void IngressRules(string name, V1NetworkPolicy policy, string[] expected)
    {
        var lines = Lines(Write(policy));
        foreach (var line in expected)
        {
            Assert.True(lines.Contains(line), $"{name}: missing\n{line}\nin\n{string.Join('\n', lines)}");
        }

        // The selected pod's chain jumps to the policy, then drops; the policy's rules accept.
        Assert.Contains("add element inet skiff-netpol ingress-pods { 10.42.0.10 : jump pod-ingress-prod/web }", lines);
        Assert.Equal(T + "pod-ingress-prod/web counter drop", lines.Last(l => l.StartsWith(T + "pod-ingress-prod/web ", StringComparison.Ordinal)));
        Assert.All(lines.Where(l => l.StartsWith(T + "policy-", StringComparison.Ordinal)), l => Assert.EndsWith(" accept", l, StringComparison.Ordinal));
    }

    [Fact]
    public void RulesThatMatchNothingAllowNothing()
    {
        var lines = Lines(Write(Policy("prod", "p", Sel("app=web"), ["Ingress"],
            [From([Pods("role=nobody")]), From(null, Port("no-such-port"))])));
        Assert.DoesNotContain(lines, l => l.Contains("policy-ingress", StringComparison.Ordinal));
        Assert.Contains(T + "pod-ingress-prod/web counter drop", lines);
    }

    [Fact]
    public void EgressDenyWithDnsAllowed()
    {
        var script = Write(Policy("prod", "dns-only", new V1LabelSelector(), ["Egress"], egress: [To(null, Port("53", "UDP"), Port("53", "TCP"))]));
        var lines = Lines(script);
        Assert.Contains(T + "policy-egress-prod/dns-only meta l4proto tcp th dport { 53 } accept", lines);
        Assert.Contains(T + "policy-egress-prod/dns-only meta l4proto udp th dport { 53 } accept", lines);
        Assert.Contains(T + "pod-egress-prod/web ip daddr 10.42.0.10 accept comment \"a pod reaches itself\"", lines);
        Assert.Contains(T + "pod-egress-prod/web jump policy-egress-prod/dns-only", lines);
        Assert.Contains("add element inet skiff-netpol egress-pods { 10.42.0.10 : jump pod-egress-prod/web }", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("add element inet skiff-netpol ingress-pods", StringComparison.Ordinal));
        Assert.Equal((0, 3), (script.IngressIsolatedPods, script.EgressIsolatedPods));
    }

    [Fact]
    public void EgressNamedPortResolvesOnTheDestinationPods()
    {
        var lines = Lines(Write(Policy("prod", "p", Sel("role=client"), ["Egress"], egress: [To([Pods("app=web")], Port("http"))])));

        // The local web pod's port 8080 and the remote one's 9090: destinations anywhere in the cluster.
        Assert.Contains(T + "policy-egress-prod/p ip daddr . meta l4proto . th dport { 10.42.0.10 . tcp . 8080, 10.42.1.5 . tcp . 9090 } accept", lines);
    }

    [Fact]
    public void BothPolicyTypesAndDefaultedTypes()
    {
        var both = Policy("prod", "both", Sel("app=db"), ["Ingress", "Egress"], [From([Pods("app=web")])], [To([Pods("app=web")], Port("5432"))]);
        var defaulted = Policy("prod", "defaulted", Sel("role=client"), null, null, [To([Block("192.168.0.0/16")])]);
        var lines = Lines(Write(both, defaulted));
        Assert.Contains(T + "pod-ingress-prod/db jump policy-ingress-prod/both", lines);
        Assert.Contains(T + "pod-egress-prod/db jump policy-egress-prod/both", lines);
        Assert.Contains(T + "policy-egress-prod/both ip daddr @policy-egress-prod/both-0 meta l4proto tcp th dport { 5432 } accept", lines);

        // No policyTypes with egress rules: Ingress and Egress (upstream's defaulting), so the client is isolated both ways.
        Assert.Contains("add element inet skiff-netpol ingress-pods { 10.42.0.12 : jump pod-ingress-prod/client }", lines);
        Assert.Contains(T + "pod-egress-prod/client jump policy-egress-prod/defaulted", lines);
        Assert.Contains("add element inet skiff-netpol policy-egress-prod/defaulted-0 { 192.168.0.0/16 }", lines);
        Assert.Equal((true, true), NetworkPolicyRuleWriter.Types(defaulted));
        Assert.Equal((true, false), NetworkPolicyRuleWriter.Types(Policy("prod", "x", new V1LabelSelector())));
    }

    [Fact]
    public void SeveralPoliciesSelectingAPodAreAdditive()
    {
        var lines = Lines(Write(
            Policy("prod", "a", Sel("app=web"), ["Ingress"], [From([Pods("role=client")])]),
            Policy("prod", "b", new V1LabelSelector(), ["Ingress"], [From([Namespaces("team=ops")])])));
        var web = lines.Where(l => l.StartsWith(T + "pod-ingress-prod/web ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                T + "pod-ingress-prod/web ip saddr 10.42.0.10 accept comment \"a pod reaches itself\"",
                T + "pod-ingress-prod/web jump policy-ingress-prod/a",
                T + "pod-ingress-prod/web jump policy-ingress-prod/b",
                T + "pod-ingress-prod/web counter drop",
            ],
            web);
    }

    [Fact]
    public void LongNamesAreHashedUnderTheKernelLimit()
    {
        var name = new string('n', 253);
        var pod = Pod("prod", name, "10.42.0.50");
        var script = _writer.Write(Input([Policy("prod", name, new V1LabelSelector(), ["Ingress"], [From(null)])], [pod], Namespaces));
        Assert.All(Lines(script).Where(l => l.StartsWith("add chain", StringComparison.Ordinal)), l => Assert.True(l.Split(' ')[4].Length <= 200, l));
    }
}
