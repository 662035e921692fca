using System.Globalization;
using System.Text;
using Skiff.Proxy.Model;

namespace Skiff.Proxy.Nftables;

/// <summary>
/// Generates one sync's nftables transaction, following upstream's nftables proxier (<c>pkg/proxy/nftables</c>):
/// <list type="bullet">
/// <item>Base chains hooked at upstream's priorities (<c>nat-prerouting</c>, <c>nat-output</c>, <c>nat-postrouting</c>,
/// <c>filter-input/forward/output</c>, <c>filter-output-post-dnat</c>), the <c>services</c> dispatch through the verdict
/// maps <c>service-ips</c> (ip . proto . port) and <c>service-nodeports</c> (proto . port, on every local address but
/// 127/8), <c>mark-for-masquerade</c> and <c>masquerading</c> (the mark bit, then <c>masquerade fully-random</c>).</item>
/// <item>Per service port: <c>service-*</c> (cluster policy: masquerade off-cluster sources, affinity, <c>numgen random</c>
/// over the endpoints), <c>local-*</c> (local policy), <c>external-*</c> (NodePort/external/LB IPs: masquerade, or with
/// externalTrafficPolicy Local short-circuit pod and host traffic to the cluster chain) and <c>endpoint-*</c> (hairpin
/// masquerade, affinity set update, DNAT). ClientIP affinity uses one dynamic timeout set per endpoint.</item>
/// <item>Services with no usable endpoints go into <c>no-endpoint-services</c>/<c>no-endpoint-nodeports</c> (REJECT with
/// icmp port-unreachable; <c>drop</c> when only the local policy lacks endpoints); <c>cluster-ips-check</c> rejects
/// unknown ports of a ClusterIP and drops unallocated ClusterIPs.</item>
/// </list>
/// A full sync (re)writes every service's chains; a partial sync rewrites only <c>changed</c> services' chains and the
/// maps, and deletes the chains and sets nothing uses any more. The first sync of a process recreates the table.
/// </summary>
public sealed class NftablesRuleWriter(NftablesOptions options)
{
    private const string ServiceIpsMap = "service-ips";
    private const string ServiceNodePortsMap = "service-nodeports";
    private const string NoEndpointServicesMap = "no-endpoint-services";
    private const string NoEndpointNodePortsMap = "no-endpoint-nodeports";
    private const string ClusterIpsSet = "cluster-ips";
    private const string RejectChain = "reject-chain";
    private const string MarkMasqChain = "mark-for-masquerade";
    private const string ServicesChain = "services";

    private readonly string _t = "ip " + options.TableName;
    private readonly string _mark = "0x" + (1 << options.MasqueradeBit).ToString("x", CultureInfo.InvariantCulture);

    /// <summary>The options the rules follow.</summary>
    public NftablesOptions Options => options;

    /// <summary>
    /// The transaction for <paramref name="services"/>. <paramref name="changed"/> null means a full sync; otherwise the
    /// service keys (<c>namespace/name</c>) whose chains must be rewritten. <paramref name="previous"/> is what the table
    /// holds (the last applied script's <see cref="SyncScript.Objects"/>); <paramref name="recreate"/> deletes the table first.
    /// </summary>
    public SyncScript Write(IReadOnlyList<ServicePortState> services, IReadOnlySet<string>? changed, IReadOnlyDictionary<string, ServiceObjects> previous, bool recreate)
    {
        var sb = new StringBuilder(4096 + (services.Count * 600));
        var rules = 0;
        if (recreate)
        {
            sb.Append("add table ").Append(_t).Append('\n');
            sb.Append("delete table ").Append(_t).Append('\n');
            previous = new Dictionary<string, ServiceObjects>();
        }

        rules += WriteBase(sb);

        var ordered = services.OrderBy(s => s.Service.ChainBase, StringComparer.Ordinal).ToList();
        var maps = new StringBuilder();
        var objects = new Dictionary<string, (List<string> Chains, List<string> Sets)>(StringComparer.Ordinal);
        var chainText = new StringBuilder();
        foreach (var state in ordered)
        {
            var key = state.Service.ServiceKey;
            if (!objects.TryGetValue(key, out var owned))
            {
                owned = ([], []);
                objects[key] = owned;
            }

            var write = changed is null || changed.Contains(key) || !previous.ContainsKey(key);
            rules += WriteServicePort(state, write ? chainText : null, maps, owned.Chains, owned.Sets);
        }

        sb.Append(chainText);

        // The maps and the set are rewritten whole each sync (small: one element per service port and address).
        foreach (var map in new[] { ServiceIpsMap, ServiceNodePortsMap, NoEndpointServicesMap, NoEndpointNodePortsMap })
        {
            sb.Append("flush map ").Append(_t).Append(' ').Append(map).Append('\n');
        }

        sb.Append("flush set ").Append(_t).Append(' ').Append(ClusterIpsSet).Append('\n');
        sb.Append(maps);

        // What the table no longer needs: chains of deleted services and chains/sets a changed service dropped.
        var next = new Dictionary<string, ServiceObjects>(StringComparer.Ordinal);
        foreach (var (key, owned) in objects)
        {
            next[key] = new ServiceObjects(owned.Chains, owned.Sets);
        }

        var staleChains = new List<string>();
        var staleSets = new List<string>();
        foreach (var (key, old) in previous)
        {
            var now = next.GetValueOrDefault(key) ?? ServiceObjects.Empty;
            staleChains.AddRange(old.Chains.Except(now.Chains, StringComparer.Ordinal));
            staleSets.AddRange(old.Sets.Except(now.Sets, StringComparer.Ordinal));
        }

        foreach (var chain in staleChains)
        {
            sb.Append("flush chain ").Append(_t).Append(' ').Append(chain).Append('\n');
        }

        foreach (var chain in staleChains)
        {
            sb.Append("delete chain ").Append(_t).Append(' ').Append(chain).Append('\n');
        }

        foreach (var set in staleSets)
        {
            sb.Append("delete set ").Append(_t).Append(' ').Append(set).Append('\n');
        }

        return new SyncScript(sb.ToString(), next, rules);
    }

    /// <summary>The transaction that removes everything the proxier owns (<c>skiff proxy --cleanup</c>).</summary>
    public string Cleanup() => $"add table {_t}\ndelete table {_t}\n";

    private int WriteBase(StringBuilder sb)
    {
        sb.Append("add table ").Append(_t).Append(" { comment \"rules for kube-proxy\" ; }\n");
        var rules = 0;

        void Chain(string name, string? hook, params string[] body)
        {
            sb.Append("add chain ").Append(_t).Append(' ').Append(name);
            if (hook is not null)
            {
                sb.Append(" { ").Append(hook).Append(" ; }");
            }

            sb.Append('\n');
            sb.Append("flush chain ").Append(_t).Append(' ').Append(name).Append('\n');
            foreach (var rule in body)
            {
                sb.Append("add rule ").Append(_t).Append(' ').Append(name).Append(' ').Append(rule).Append('\n');
                rules++;
            }
        }

        sb.Append("add set ").Append(_t).Append(' ').Append(ClusterIpsSet).Append(" { type ipv4_addr ; comment \"Active ClusterIPs\" ; }\n");
        sb.Append("add map ").Append(_t).Append(' ').Append(ServiceIpsMap).Append(" { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }\n");
        sb.Append("add map ").Append(_t).Append(' ').Append(ServiceNodePortsMap).Append(" { type inet_proto . inet_service : verdict ; comment \"NodePort traffic\" ; }\n");
        sb.Append("add map ").Append(_t).Append(' ').Append(NoEndpointServicesMap).Append(" { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to services with no endpoints\" ; }\n");
        sb.Append("add map ").Append(_t).Append(' ').Append(NoEndpointNodePortsMap).Append(" { type inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to service nodeports with no endpoints\" ; }\n");

        // Helper chains first: the hooked chains jump to them.
        Chain(MarkMasqChain, null, $"meta mark set meta mark | {_mark}");
        Chain("masquerading", null, $"meta mark & {_mark} == 0 return", $"meta mark set meta mark ^ {_mark}", "masquerade fully-random");
        Chain(RejectChain, null, "reject");
        Chain(ServicesChain, null,
            $"ip daddr . meta l4proto . th dport vmap @{ServiceIpsMap}",
            $"fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @{ServiceNodePortsMap}");
        Chain("service-endpoints-check", null, $"ip daddr . meta l4proto . th dport vmap @{NoEndpointServicesMap}");
        Chain("nodeport-endpoints-check", null, $"fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @{NoEndpointNodePortsMap}");
        var clusterIpsCheck = new List<string> { $"ip daddr @{ClusterIpsSet} reject comment \"Reject traffic to invalid ports of ClusterIPs\"" };
        if (options.ServiceCidr is { } serviceCidr)
        {
            clusterIpsCheck.Add($"ip daddr {serviceCidr} drop comment \"Drop traffic to unallocated ClusterIPs\"");
        }

        Chain("cluster-ips-check", null, [.. clusterIpsCheck]);
        Chain("filter-input", "type filter hook input priority -110", "ct state new jump nodeport-endpoints-check", "ct state new jump service-endpoints-check");
        Chain("filter-forward", "type filter hook forward priority -110", "ct state new jump service-endpoints-check", "ct state new jump cluster-ips-check");
        Chain("filter-output", "type filter hook output priority -110", "ct state new jump service-endpoints-check");
        Chain("filter-output-post-dnat", "type filter hook output priority -90", "ct state new jump cluster-ips-check");
        Chain("nat-prerouting", "type nat hook prerouting priority dstnat", $"jump {ServicesChain}");
        Chain("nat-output", "type nat hook output priority -100", $"jump {ServicesChain}");
        Chain("nat-postrouting", "type nat hook postrouting priority srcnat", "jump masquerading");
        return rules;
    }

    /// <summary>
    /// Adds the port's map elements to <paramref name="maps"/> and, when <paramref name="sb"/> is not null, its chains
    /// and affinity sets; records the chains and sets it owns either way. Returns the number of rules written.
    /// </summary>
    private int WriteServicePort(ServicePortState state, StringBuilder? sb, StringBuilder maps, List<string> chains, List<string> sets)
    {
        var svc = state.Service;
        var categories = EndpointCategories.Of(state);
        var usesClusterEndpoints = !svc.InternalLocal || (svc.HasExternal && !svc.ExternalLocal);
        var usesLocalEndpoints = svc.InternalLocal || (svc.HasExternal && svc.ExternalLocal);
        var hasEndpoints = categories.HasAny;
        var usesExternalChain = hasEndpoints && svc.HasExternal;

        var clusterChain = ChainNames.Service(svc.ChainBase);
        var localChain = ChainNames.Local(svc.ChainBase);
        var externalChain = ChainNames.External(svc.ChainBase);

        // External Local traffic from pods and the host short-circuits to the cluster chain, so it exists then too.
        var usesClusterChain = categories.Cluster.Count > 0 && (usesClusterEndpoints || (usesExternalChain && svc.ExternalLocal));
        var usesLocalChain = categories.Local.Count > 0 && usesLocalEndpoints;

        var internalChain = svc.InternalLocal ? localChain : clusterChain;
        var hasInternalEndpoints = hasEndpoints && (!svc.InternalLocal || categories.Local.Count > 0);
        var externalPolicyChain = svc.ExternalLocal ? localChain : clusterChain;
        var hasExternalEndpoints = hasEndpoints && (!svc.ExternalLocal || categories.Local.Count > 0);
        var internalVerdict = hasEndpoints ? "drop" : $"goto {RejectChain}";
        var externalVerdict = internalVerdict;

        var comment = $"\"{svc.Namespace}/{svc.Name}{(svc.PortName.Length > 0 ? ":" + svc.PortName : "")}\"";
        var proto = svc.Protocol;

        // Map elements.
        maps.Append("add element ").Append(_t).Append(' ').Append(ClusterIpsSet).Append(" { ").Append(svc.ClusterIp).Append(" }\n");
        if (hasInternalEndpoints)
        {
            Element(maps, ServiceIpsMap, $"{svc.ClusterIp} . {proto} . {svc.Port}", comment, $"goto {internalChain}");
        }
        else
        {
            Element(maps, NoEndpointServicesMap, $"{svc.ClusterIp} . {proto} . {svc.Port}", comment, internalVerdict);
        }

        foreach (var ip in svc.ExternalIps)
        {
            if (hasEndpoints)
            {
                Element(maps, ServiceIpsMap, $"{ip} . {proto} . {svc.Port}", comment, $"goto {externalChain}");
            }

            if (!hasExternalEndpoints)
            {
                Element(maps, NoEndpointServicesMap, $"{ip} . {proto} . {svc.Port}", comment, externalVerdict);
            }
        }

        if (svc.NodePort > 0)
        {
            if (hasEndpoints)
            {
                Element(maps, ServiceNodePortsMap, $"{proto} . {svc.NodePort}", comment, $"goto {externalChain}");
            }

            if (!hasExternalEndpoints)
            {
                Element(maps, NoEndpointNodePortsMap, $"{proto} . {svc.NodePort}", comment, externalVerdict);
            }
        }

        // Chains (declared first: rules may jump to any of them).
        var endpoints = new List<EndpointInfo>();
        if (usesClusterChain)
        {
            endpoints.AddRange(categories.Cluster);
            chains.Add(clusterChain);
        }

        if (usesLocalChain)
        {
            endpoints.AddRange(categories.Local.Where(e => !endpoints.Contains(e)));
            chains.Add(localChain);
        }

        if (usesExternalChain)
        {
            chains.Add(externalChain);
        }

        foreach (var e in endpoints)
        {
            chains.Add(ChainNames.Endpoint(svc.ChainBase, e.Key));
            if (svc.AffinityTimeoutSeconds is not null)
            {
                sets.Add(ChainNames.Affinity(svc.ChainBase, e.Key));
            }
        }

        if (sb is null)
        {
            return 0;
        }

        var start = chains.Count - (endpoints.Count + (usesClusterChain ? 1 : 0) + (usesLocalChain ? 1 : 0) + (usesExternalChain ? 1 : 0));
        foreach (var chain in chains.Skip(start))
        {
            sb.Append("add chain ").Append(_t).Append(' ').Append(chain).Append('\n');
            sb.Append("flush chain ").Append(_t).Append(' ').Append(chain).Append('\n');
        }

        var timeout = svc.AffinityTimeoutSeconds ?? 0;
        foreach (var set in svc.AffinityTimeoutSeconds is not null ? endpoints.Select(e => ChainNames.Affinity(svc.ChainBase, e.Key)) : [])
        {
            sb.Append("add set ").Append(_t).Append(' ').Append(set)
                .Append(" { type ipv4_addr ; flags dynamic,timeout ; timeout ").Append(timeout.ToString(CultureInfo.InvariantCulture)).Append("s ; }\n");
        }

        var rules = 0;

        void Rule(string chain, string rule)
        {
            sb.Append("add rule ").Append(_t).Append(' ').Append(chain).Append(' ').Append(rule).Append('\n');
            rules++;
        }

        // Internal (ClusterIP) traffic: masquerade what does not come from the pod network.
        if (hasInternalEndpoints)
        {
            if (options.MasqueradeAll)
            {
                Rule(internalChain, $"ip daddr {svc.ClusterIp} {proto} dport {svc.Port} jump {MarkMasqChain}");
            }
            else if (options.ClusterCidr is { } cidr)
            {
                Rule(internalChain, $"ip daddr {svc.ClusterIp} {proto} dport {svc.Port} ip saddr != {cidr} jump {MarkMasqChain}");
            }
        }

        if (usesExternalChain)
        {
            if (!svc.ExternalLocal)
            {
                Rule(externalChain, $"jump {MarkMasqChain}");
            }
            else if (usesClusterChain)
            {
                if (options.ClusterCidr is { } cidr)
                {
                    Rule(externalChain, $"ip saddr {cidr} goto {clusterChain} comment \"short-circuit pod traffic\"");
                }

                Rule(externalChain, $"fib saddr type local jump {MarkMasqChain} comment \"masquerade local traffic\"");
                Rule(externalChain, $"fib saddr type local goto {clusterChain} comment \"short-circuit local traffic\"");
            }

            if (hasExternalEndpoints)
            {
                Rule(externalChain, $"goto {externalPolicyChain}");
            }
        }

        if (usesClusterChain)
        {
            WriteBalancing(clusterChain, categories.Cluster);
        }

        if (usesLocalChain)
        {
            WriteBalancing(localChain, categories.Local);
        }

        foreach (var e in endpoints)
        {
            var chain = ChainNames.Endpoint(svc.ChainBase, e.Key);
            Rule(chain, $"ip saddr {e.Ip} jump {MarkMasqChain}");
            if (svc.AffinityTimeoutSeconds is not null)
            {
                Rule(chain, $"update @{ChainNames.Affinity(svc.ChainBase, e.Key)} {{ ip saddr }}");
            }

            Rule(chain, $"meta l4proto {proto} dnat to {e.Ip}:{e.Port}");
        }

        return rules;

        void WriteBalancing(string chain, IReadOnlyList<EndpointInfo> targets)
        {
            if (svc.AffinityTimeoutSeconds is not null)
            {
                foreach (var e in targets)
                {
                    Rule(chain, $"ip saddr @{ChainNames.Affinity(svc.ChainBase, e.Key)} goto {ChainNames.Endpoint(svc.ChainBase, e.Key)}");
                }
            }

            var vmap = string.Join(" , ", targets.Select((e, i) => $"{i} : goto {ChainNames.Endpoint(svc.ChainBase, e.Key)}"));
            Rule(chain, $"numgen random mod {targets.Count} vmap {{ {vmap} }}");
        }
    }

    private void Element(StringBuilder sb, string map, string key, string comment, string verdict) =>
        sb.Append("add element ").Append(_t).Append(' ').Append(map).Append(" { ").Append(key).Append(" comment ").Append(comment)
            .Append(" : ").Append(verdict).Append(" }\n");
}
