namespace Skiff.ApiServer.Registry;

/// <summary>
/// What the built-in strategies need from the server's configuration (upstream's
/// <c>--service-cluster-ip-range</c> and <c>--service-node-port-range</c>).
/// </summary>
public sealed record BuiltInResourceOptions
{
    /// <summary>The IPv4 CIDR cluster IPs are allocated from; its first address belongs to the <c>kubernetes</c> service.</summary>
    public string ServiceClusterIpRange { get; init; } = "10.0.0.0/24";

    /// <summary>The first node port.</summary>
    public int NodePortBase { get; init; } = 30000;

    /// <summary>How many node ports there are (30000-32767 by default).</summary>
    public int NodePortSize { get; init; } = 2768;
}
