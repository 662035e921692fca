namespace Skiff.Proxy.Model;

/// <summary>
/// One port of one Service as the proxier programs it (upstream's <c>servicePortInfo</c>): the ClusterIP and port,
/// the NodePort, the external addresses (externalIPs and the load balancer's ingress IPs), session affinity and the
/// two traffic policies. IPv4 only.
/// </summary>
public sealed record ServicePortInfo
{
    /// <summary>The Service's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The Service's name.</summary>
    public required string Name { get; init; }

    /// <summary>The port's name (empty for an unnamed single port).</summary>
    public string PortName { get; init; } = "";

    /// <summary>tcp, udp or sctp (lowercase, as nft writes it).</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The ClusterIP.</summary>
    public required string ClusterIp { get; init; }

    /// <summary>The Service port.</summary>
    public required int Port { get; init; }

    /// <summary>The NodePort (0: none).</summary>
    public int NodePort { get; init; }

    /// <summary>spec.externalIPs and status.loadBalancer.ingress[].ip (served like the ClusterIP, through the external chain).</summary>
    public IReadOnlyList<string> ExternalIps { get; init; } = [];

    /// <summary>sessionAffinity ClientIP's timeout in seconds; null: no affinity.</summary>
    public int? AffinityTimeoutSeconds { get; init; }

    /// <summary>internalTrafficPolicy: Local.</summary>
    public bool InternalLocal { get; init; }

    /// <summary>externalTrafficPolicy: Local (for services with external addresses or a NodePort).</summary>
    public bool ExternalLocal { get; init; }

    /// <summary>spec.healthCheckNodePort (ETP Local load balancers; 0: none).</summary>
    public int HealthCheckNodePort { get; init; }

    /// <summary><c>namespace/name</c>: the key partial syncs track.</summary>
    public string ServiceKey => $"{Namespace}/{Name}";

    /// <summary>Upstream's chain name base: <c>namespace/name/protocol/portname</c>.</summary>
    public string ChainBase => $"{Namespace}/{Name}/{Protocol}/{PortName}";

    /// <summary>True when traffic reaches the service from outside the cluster network (NodePort or external IPs).</summary>
    public bool HasExternal => NodePort > 0 || ExternalIps.Count > 0;
}
