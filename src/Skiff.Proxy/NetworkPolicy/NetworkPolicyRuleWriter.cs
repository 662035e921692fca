using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Skiff.Api.Selectors;
using Skiff.Client.Runtime;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>
/// Compiles NetworkPolicies (networking.k8s.io/v1) into one nftables transaction for this node's pods, with upstream's
/// semantics as kube-router (k3s's enforcer) implements them:
/// <list type="bullet">
/// <item>A pod selected by a policy whose <c>policyTypes</c> holds Ingress (Egress) is isolated in that direction: only
/// what some rule of some policy selecting it allows gets in (out); pods no policy selects stay open. Missing
/// <c>policyTypes</c> default as upstream: Ingress, plus Egress when egress rules exist.</item>
/// <item>A rule allows when a peer and a port match; no peers means every source (destination), no ports every port.
/// Peers: <c>podSelector</c> (pods of the policy's namespace), <c>namespaceSelector</c> (all pods of the matching
/// namespaces), both (matching pods of matching namespaces), <c>ipBlock</c> (cidr minus except).</item>
/// <item>Ports: numbers, <c>endPort</c> ranges, protocols TCP/UDP/SCTP, named ports resolved per pod (ingress: the
/// isolated pod's container port; egress: the destination pod's).</item>
/// <item>Replies of allowed connections pass (conntrack established/related), a pod always reaches itself, and the
/// node reaches its pods (probes): host-originated packets never traverse the forward hook this table filters.</item>
/// </list>
/// Layout of table <c>inet TABLE</c>: base chains <c>egress-forward</c>/<c>egress-input</c> (pod → anywhere, pod →
/// node) dispatch on <c>ip saddr vmap @egress-pods</c> and <c>ingress-forward</c> on <c>ip daddr vmap @ingress-pods</c>;
/// per isolated pod a chain <c>pod-ingress-NS/NAME</c> (<c>pod-egress-…</c>) that accepts itself, jumps to the chain of
/// every policy selecting it (<c>policy-ingress-NS/NAME</c>, whose rules accept) and drops the rest; peers are interval
/// sets <c>policy-ingress-NS/NAME-I</c>. Every sync replaces the table in one transaction.
/// </summary>
public sealed class NetworkPolicyRuleWriter(string tableName = NetworkPolicyRuleWriter.DefaultTable)
{
    /// <summary>The table's default name (family <c>inet</c>).</summary>
    public const string DefaultTable = "skiff-netpol";

    private const int MaxNameLength = 200;

    private readonly string _t = "inet " + tableName;

    /// <summary>The transaction that removes the table (and tolerates its absence).</summary>
    public string Cleanup() => $"add table {_t}\ndelete table {_t}\n";

    /// <summary>The whole table for <paramref name="input"/>, replacing what is there atomically.</summary>
    public PolicyScript Write(PolicyInput input)
    {
        var policies = input.Policies
            .OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var pods = input.Pods
            .OrderBy(p => p.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var local = pods.Where(p => p.Local).ToList();

        var ingressOf = new Dictionary<PolicyPod, List<string>>();
        var egressOf = new Dictionary<PolicyPod, List<string>>();
        var decl = new StringBuilder();
        var sets = new StringBuilder();
        var rules = new StringBuilder();
        var count = 0;

        foreach (var policy in policies)
        {
            var ns = policy.Metadata.NamespaceProperty ?? "";
            var selector = LabelSelectors.FromOrNothing(policy.Spec?.PodSelector ?? new V1LabelSelector());
            var targets = local.Where(p => p.Namespace == ns && Matches(selector, p.Labels)).ToList();
            if (targets.Count == 0)
            {
                continue;
            }

            var (ingress, egress) = Types(policy);
            var context = new RuleContext(this, policy, ns, pods, input.NamespaceLabels, targets, decl, sets, rules);
            if (ingress)
            {
                var (chain, written) = context.WriteDirection(isIngress: true);
                count += written;
                foreach (var pod in targets)
                {
                    Append(ingressOf, pod, chain);
                }
            }

            if (egress)
            {
                var (chain, written) = context.WriteDirection(isIngress: false);
                count += written;
                foreach (var pod in targets)
                {
                    Append(egressOf, pod, chain);
                }
            }
        }

        var podRules = new StringBuilder();
        var elements = new StringBuilder();
        count += WritePods(ingressOf, "ingress", "saddr", "ingress-pods", decl, podRules, elements);
        count += WritePods(egressOf, "egress", "daddr", "egress-pods", decl, podRules, elements);

        var sb = new StringBuilder();
        sb.Append("add table ").Append(_t).Append('\n');
        sb.Append("delete table ").Append(_t).Append('\n');
        sb.Append("add table ").Append(_t).Append('\n');
        sb.Append("add map ").Append(_t).Append(" ingress-pods { type ipv4_addr : verdict ; }\n");
        sb.Append("add map ").Append(_t).Append(" egress-pods { type ipv4_addr : verdict ; }\n");
        sb.Append(decl).Append(sets).Append(rules).Append(podRules).Append(elements);
        foreach (var (name, hook, priority, match) in new[]
                 {
                     ("egress-forward", "forward", 0, "ip saddr vmap @egress-pods"),
                     ("egress-input", "input", 0, "ip saddr vmap @egress-pods"),
                     ("ingress-forward", "forward", 1, "ip daddr vmap @ingress-pods"),
                 })
        {
            sb.Append("add chain ").Append(_t).Append(' ').Append(name).Append(" { type filter hook ").Append(hook)
                .Append(" priority ").Append(priority.ToString(CultureInfo.InvariantCulture)).Append(" ; policy accept ; }\n");
            sb.Append("add rule ").Append(_t).Append(' ').Append(name).Append(" ct state established,related accept\n");
            sb.Append("add rule ").Append(_t).Append(' ').Append(name).Append(' ').Append(match).Append('\n');
            count += 2;
        }

        return new PolicyScript(sb.ToString(), count, ingressOf.Count, egressOf.Count);
    }

    /// <summary>The policy's directions: its <c>policyTypes</c>, or upstream's default when empty.</summary>
    public static (bool Ingress, bool Egress) Types(V1NetworkPolicy policy)
    {
        var types = policy.Spec?.PolicyTypes;
        if (types is null || types.Count == 0)
        {
            return (true, policy.Spec?.Egress is { Count: > 0 });
        }

        return (types.Contains("Ingress"), types.Contains("Egress"));
    }

    /// <summary>A chain or set name: <paramref name="prefix"/> + NS/NAME, hashed when too long for the kernel.</summary>
    internal static string Name(string prefix, string ns, string name)
    {
        var full = $"{prefix}{ns}/{name}";
        if (full.Length <= MaxNameLength)
        {
            return full;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}/{name}")))[..16];
        return $"{prefix}{ns[..Math.Min(ns.Length, 63)]}/{hash}";
    }

    internal static bool Matches(LabelSelector selector, IReadOnlyDictionary<string, string> labels) => selector.Matches(labels);

    private static void Append(Dictionary<PolicyPod, List<string>> map, PolicyPod pod, string? chain)
    {
        if (!map.TryGetValue(pod, out var list))
        {
            map[pod] = list = [];
        }

        if (chain is not null)
        {
            list.Add(chain);
        }
    }

    private int WritePods(Dictionary<PolicyPod, List<string>> isolated, string direction, string selfField, string map, StringBuilder decl, StringBuilder rules, StringBuilder elements)
    {
        var count = 0;
        foreach (var (pod, chains) in isolated.OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal))
        {
            var chain = Name($"pod-{direction}-", pod.Namespace, pod.Name);
            decl.Append("add chain ").Append(_t).Append(' ').Append(chain).Append('\n');
            rules.Append("add rule ").Append(_t).Append(' ').Append(chain).Append(" ip ").Append(selfField).Append(' ').Append(pod.Ip)
                .Append(" accept comment \"a pod reaches itself\"\n");
            foreach (var policyChain in chains)
            {
                rules.Append("add rule ").Append(_t).Append(' ').Append(chain).Append(" jump ").Append(policyChain).Append('\n');
            }

            rules.Append("add rule ").Append(_t).Append(' ').Append(chain).Append(" counter drop\n");
            count += chains.Count + 2;
            elements.Append("add element ").Append(_t).Append(' ').Append(map).Append(" { ").Append(pod.Ip).Append(" : jump ").Append(chain).Append(" }\n");
        }

        return count;
    }

    /// <summary>Writes one policy's chain for a direction (its peer sets and rules).</summary>
    private sealed class RuleContext(
        NetworkPolicyRuleWriter writer,
        V1NetworkPolicy policy,
        string ns,
        IReadOnlyList<PolicyPod> pods,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaces,
        IReadOnlyList<PolicyPod> targets,
        StringBuilder decl,
        StringBuilder sets,
        StringBuilder rules)
    {
        /// <summary>Writes the chain; returns its name (null when it has no rule: the pod then only drops) and its rule count.</summary>
        public (string? Chain, int Rules) WriteDirection(bool isIngress)
        {
            var direction = isIngress ? "ingress" : "egress";
            var chain = Name($"policy-{direction}-", ns, policy.Metadata.Name);
            var lines = new List<string>();
            var index = 0;
            var list = isIngress
                ? (policy.Spec?.Ingress ?? []).Select(r => (Peers: r.FromProperty, r.Ports))
                : (policy.Spec?.Egress ?? []).Select(r => (Peers: r.To, r.Ports));
            foreach (var (peers, ports) in list)
            {
                var setName = $"{chain}-{index++}";
                string? peerMatch = null;
                List<PolicyPod>? peerPods = null;
                if (peers is { Count: > 0 })
                {
                    var ranges = new Ipv4Ranges();
                    peerPods = PeerPods(peers);
                    foreach (var p in peerPods)
                    {
                        ranges.AddAddress(p.Ip);
                    }

                    foreach (var block in peers.Select(p => p.IpBlock).OfType<V1IPBlock>())
                    {
                        ranges.AddBlock(block.Cidr, block.Except);
                    }

                    if (ranges.IsEmpty)
                    {
                        continue; // no peer: the rule allows nothing
                    }

                    sets.Append("add set ").Append(writer._t).Append(' ').Append(setName).Append(" { type ipv4_addr ; flags interval ; }\n");
                    sets.Append("add element ").Append(writer._t).Append(' ').Append(setName).Append(" { ").AppendJoin(", ", ranges.Elements()).Append(" }\n");
                    peerMatch = $"ip {(isIngress ? "saddr" : "daddr")} @{setName}";
                }

                foreach (var portMatch in PortMatches(ports, isIngress, peers is { Count: > 0 } ? peerPods! : pods))
                {
                    var parts = new[] { portMatch.NeedsPeer ? peerMatch : null, portMatch.Text, "accept" }.Where(s => !string.IsNullOrEmpty(s));
                    lines.Add(string.Join(' ', parts));
                }
            }

            if (lines.Count == 0)
            {
                return (null, 0);
            }

            decl.Append("add chain ").Append(writer._t).Append(' ').Append(chain).Append('\n');
            foreach (var line in lines)
            {
                rules.Append("add rule ").Append(writer._t).Append(' ').Append(chain).Append(' ').Append(line).Append('\n');
            }

            return (chain, lines.Count);
        }

        /// <summary>The pods the selector peers match (ipBlock peers add addresses, not pods).</summary>
        private List<PolicyPod> PeerPods(IList<V1NetworkPolicyPeer> peers)
        {
            var result = new List<PolicyPod>();
            foreach (var peer in peers)
            {
                if (peer.PodSelector is null && peer.NamespaceSelector is null)
                {
                    continue;
                }

                var podSelector = peer.PodSelector is null ? LabelSelector.Everything : LabelSelectors.FromOrNothing(peer.PodSelector);
                var nsSelector = peer.NamespaceSelector is null ? null : LabelSelectors.FromOrNothing(peer.NamespaceSelector);
                foreach (var pod in pods)
                {
                    var nsOk = nsSelector is null
                        ? pod.Namespace == ns
                        : Matches(nsSelector, namespaces.GetValueOrDefault(pod.Namespace) ?? new Dictionary<string, string>());
                    if (nsOk && Matches(podSelector, pod.Labels) && !result.Contains(pod))
                    {
                        result.Add(pod);
                    }
                }
            }

            return result;
        }

        /// <summary>
        /// The port matches of a rule, one rule each: numeric ports per protocol (<c>meta l4proto tcp th dport { 80,
        /// 8000-8080 }</c>, or the bare protocol when a port entry has no port) and named ports as
        /// <c>ip . proto . port</c> tuples resolved on the isolated pods (ingress) or the destination pods (egress).
        /// No ports: one match-everything entry. Ports that resolve to nothing: no entry (the rule allows nothing).
        /// </summary>
        private List<(string Text, bool NeedsPeer)> PortMatches(IList<V1NetworkPolicyPort>? ports, bool isIngress, IReadOnlyList<PolicyPod> destinations)
        {
            if (ports is null || ports.Count == 0)
            {
                return [("", true)];
            }

            var numeric = new SortedDictionary<string, SortedSet<(int, int)>>(StringComparer.Ordinal);
            var whole = new SortedSet<string>(StringComparer.Ordinal);
            var tuples = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var port in ports)
            {
                var protocol = (port.Protocol ?? "TCP").ToLowerInvariant();
                var value = port.Port?.Value;
                if (value is null)
                {
                    whole.Add(protocol);
                }
                else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    var end = port.EndPort is { } e && e >= number ? e : number;
                    if (!numeric.TryGetValue(protocol, out var set))
                    {
                        numeric[protocol] = set = [];
                    }

                    set.Add((number, end));
                }
                else
                {
                    foreach (var pod in isIngress ? targets : destinations)
                    {
                        foreach (var named in pod.Ports)
                        {
                            if (named.Name == value && named.Protocol.Equals(port.Protocol ?? "TCP", StringComparison.OrdinalIgnoreCase))
                            {
                                tuples.Add(string.Create(CultureInfo.InvariantCulture, $"{pod.Ip} . {protocol} . {named.Port}"));
                            }
                        }
                    }
                }
            }

            var result = new List<(string, bool)>();
            foreach (var protocol in whole)
            {
                result.Add(($"meta l4proto {protocol}", true));
            }

            foreach (var (protocol, set) in numeric.Where(n => !whole.Contains(n.Key)))
            {
                var items = set.Select(r => r.Item1 == r.Item2
                    ? r.Item1.ToString(CultureInfo.InvariantCulture)
                    : string.Create(CultureInfo.InvariantCulture, $"{r.Item1}-{r.Item2}"));
                result.Add(($"meta l4proto {protocol} th dport {{ {string.Join(", ", items)} }}", true));
            }

            if (tuples.Count > 0)
            {
                // Egress tuples already name the destination pods (the peers' pods, or any pod): no peer set needed.
                result.Add(($"ip daddr . meta l4proto . th dport {{ {string.Join(", ", tuples)} }}", isIngress));
            }

            return result;
        }
    }
}
