namespace Skiff.Cli;

/// <summary>The flags of <c>skiff proxy</c>, parsed (upstream's kube-proxy in nftables mode).</summary>
internal sealed record ProxySettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>This node's name (default: the hostname, lowercased, as the kubelet's).</summary>
    public string? HostnameOverride { get; init; }

    /// <summary>The pod network; traffic to a ClusterIP from outside it is masqueraded.</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>The service CIDR; traffic to an unallocated ClusterIP in it is dropped.</summary>
    public string ServiceCidr { get; init; } = "10.0.0.0/24";

    public bool MasqueradeAll { get; init; }

    public TimeSpan MinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    public int HealthzPort { get; init; } = 10256;

    public int MetricsPort { get; init; } = 10249;

    /// <summary>Remove the rules and exit.</summary>
    public bool Cleanup { get; init; }

    public int Verbosity { get; init; }
}
