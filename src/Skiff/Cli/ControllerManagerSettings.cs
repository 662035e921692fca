namespace Skiff.Cli;

/// <summary>The flags of <c>skiff controller-manager</c>, parsed.</summary>
internal sealed record ControllerManagerSettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    public bool LeaderElect { get; init; } = true;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<string> Controllers { get; init; } = [];

    /// <summary>The loopback HTTP port serving <c>/metrics</c> and <c>/healthz</c>; 0 = none.</summary>
    public int MetricsPort { get; init; }

    /// <summary>The cluster CA bundle file the root-ca-cert-publisher publishes (upstream's <c>--root-ca-file</c>).</summary>
    public string? RootCaFile { get; init; }

    /// <summary><c>--service-account-private-key-file</c>: signs legacy token Secrets (the <c>serviceaccount-token</c> controller).</summary>
    public string? ServiceAccountPrivateKeyFile { get; init; }

    /// <summary><c>--cluster-signing-cert-file</c>: the CA csrsigning signs with.</summary>
    public string? ClusterSigningCertFile { get; init; }

    /// <summary><c>--cluster-signing-key-file</c>: its private key.</summary>
    public string? ClusterSigningKeyFile { get; init; }

    /// <summary><c>--cluster-signing-duration</c>: the longest validity signed.</summary>
    public TimeSpan ClusterSigningDuration { get; init; } = TimeSpan.FromDays(365);

    public float Qps { get; init; } = 20;

    public int Burst { get; init; } = 30;

    public int Verbosity { get; init; }
}
