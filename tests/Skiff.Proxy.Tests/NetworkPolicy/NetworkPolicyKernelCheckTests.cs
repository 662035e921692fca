using k8s.Models;
using Skiff.Proxy.NetworkPolicy;
using Skiff.Proxy.Nftables;
using Skiff.Proxy.Tests.Testing;
using Xunit;
using static Skiff.Proxy.Tests.Testing.Policies;

namespace Skiff.Proxy.Tests.NetworkPolicy;

/// <summary>
/// The kernel accepts what the compiler writes: every construct (interval sets, concatenated tuples, vmaps, the three
/// base chains) through <c>nft --check</c>, which validates the whole transaction in the kernel and applies nothing.
/// </summary>
public sealed class NetworkPolicyKernelCheckTests
{
    [SkippableFact]
    public async Task EveryConstructPassesNftCheck()
    {
        Skip.If(RealNetwork.SkipReason is not null, RealNetwork.SkipReason);
        var pods = new[]
        {
            Pod("a", "web", "10.99.0.10", "app=web", ports: new PolicyPod.NamedPort("http", "TCP", 8080)),
            Pod("a", "client", "10.99.0.11", "role=client"),
            Pod("b", "other", "10.99.0.12", "role=client", local: false),
        };
        var policies = new[]
        {
            Policy("a", "mixed", Sel("app=web"), ["Ingress", "Egress"],
                [From([Pods("role=client"), Namespaces("team=b", "role=client"), Block("10.0.0.0/8", "10.99.0.0/16")], Port("http"), Port("80"), Port("9000", endPort: 9100), Port(null, "SCTP"))],
                [To(null, Port("53", "UDP"), Port("53", "TCP")), To([Pods("role=client")], Port("http"))]),
            Policy("a", "deny", new V1LabelSelector(), ["Ingress"]),
        };
        var script = new NetworkPolicyRuleWriter("np-check-" + Guid.NewGuid().ToString("N")[..6]).Write(Input(policies, pods, ("a", "x=a"), ("b", "team=b")));
        var (code, _, error) = await new NftCommand().RunAsync(["--check", "-f", "-"], script.Text, default);
        Assert.True(code == 0, error + "\n" + script.Text);
    }
}
