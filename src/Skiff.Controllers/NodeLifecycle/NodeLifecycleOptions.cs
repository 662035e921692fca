namespace Skiff.Controllers.NodeLifecycle;

/// <summary>The node lifecycle controller's flags (upstream's <c>NodeLifecycleControllerConfiguration</c>), defaults as upstream.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary><c>--node-monitor-grace-period</c>: how long a node may stay silent (no status heartbeat, no Lease renewal) before it is Unknown.</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary><c>--node-startup-grace-period</c>: the same for a node that never posted a Ready condition.</summary>
    public TimeSpan NodeStartupGracePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>--node-monitor-period</c>: how often node health is checked.</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the NoExecute tainting queues are worked (upstream's <c>NodeEvictionPeriod</c>).</summary>
    public TimeSpan NodeEvictionPeriod { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>--node-eviction-rate</c>: nodes per second tainted NoExecute in a healthy zone (burst 1).</summary>
    public double NodeEvictionRate { get; init; } = 0.1;

    /// <summary><c>--secondary-node-eviction-rate</c>: the rate in a partially disrupted zone larger than <see cref="LargeClusterSizeThreshold"/>.</summary>
    public double SecondaryNodeEvictionRate { get; init; } = 0.01;

    /// <summary><c>--large-cluster-size-threshold</c>: below this many nodes a partially disrupted zone taints nothing.</summary>
    public int LargeClusterSizeThreshold { get; init; } = 50;

    /// <summary><c>--unhealthy-zone-threshold</c>: the share of not-ready nodes (more than two) that makes a zone partially disrupted.</summary>
    public double UnhealthyZoneThreshold { get; init; } = 0.55;
}
