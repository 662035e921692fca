namespace Skiff.Cli;

/// <summary>The flags of <c>skiff network-policy</c>, parsed.</summary>
internal sealed record NetworkPolicySettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>This node's name (default: the hostname, lowercased, as the kubelet's).</summary>
    public string? HostnameOverride { get; init; }

    public TimeSpan MinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Remove the rules and exit.</summary>
    public bool Cleanup { get; init; }

    public int Verbosity { get; init; }
}
