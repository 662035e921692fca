namespace Skiff.Cli;

/// <summary>The flags of <c>skiff scheduler</c>, parsed.</summary>
internal sealed record SchedulerSettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file; null for the defaults.</summary>
    public string? ConfigFile { get; init; }

    public bool LeaderElect { get; init; } = true;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The loopback HTTP port serving <c>/metrics</c> and <c>/healthz</c>; 0 = none.</summary>
    public int MetricsPort { get; init; }

    public float Qps { get; init; } = 50;

    public int Burst { get; init; } = 100;

    public int Verbosity { get; init; }
}
