namespace Skiff.Proxy.Nftables;

/// <summary>What the nftables rules need besides the services: the table, the cluster's CIDRs and the masquerade mark.</summary>
public sealed record NftablesOptions
{
    /// <summary>The <c>ip</c>-family table the proxier owns (upstream: <c>kube-proxy</c>).</summary>
    public string TableName { get; init; } = "kube-proxy";

    /// <summary>The pod network (<c>--cluster-cidr</c>): traffic to a ClusterIP from outside it is masqueraded. Null: none.</summary>
    public string? ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>The service CIDR: traffic to an unallocated ClusterIP is dropped. Null: not checked.</summary>
    public string? ServiceCidr { get; init; } = "10.0.0.0/24";

    /// <summary>Masquerade every service packet (upstream's <c>--masquerade-all</c>; the fallback without br_netfilter).</summary>
    public bool MasqueradeAll { get; init; }

    /// <summary>The packet mark bit meaning "masquerade me" (upstream's <c>--masquerade-bit</c>, 14 = 0x4000).</summary>
    public int MasqueradeBit { get; init; } = 14;
}
