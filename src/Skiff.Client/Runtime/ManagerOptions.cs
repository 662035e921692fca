using Microsoft.Extensions.Logging;

namespace Skiff.Client.Runtime;

/// <summary>Configuration of a <see cref="Manager"/>.</summary>
public sealed record ManagerOptions
{
    /// <summary>Cache and watch only this namespace (null: all).</summary>
    public string? Namespace { get; init; }

    /// <summary>Informer resync period (zero: none).</summary>
    public TimeSpan ResyncPeriod { get; init; }

    /// <summary>Run controllers only while holding the Lease <see cref="LeaderElectionId"/>; caches run regardless.</summary>
    public bool LeaderElection { get; init; }

    /// <summary>The Lease's name (required with <see cref="LeaderElection"/>).</summary>
    public string LeaderElectionId { get; init; } = "";

    public string LeaderElectionNamespace { get; init; } = "kube-system";

    /// <summary>This process's identity in the Lease (default: host name and a random suffix).</summary>
    public string? Identity { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}
