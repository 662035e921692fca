using Microsoft.Extensions.Logging;

namespace Skiff.Client.LeaderElection;

/// <summary>
/// How a <see cref="LeaderElector"/> competes (client-go <c>leaderelection.LeaderElectionConfig</c>). Requires
/// <see cref="LeaseDuration"/> &gt; <see cref="RenewDeadline"/> &gt; 1.2 × <see cref="RetryPeriod"/>.
/// </summary>
public sealed record LeaderElectionConfig
{
    public required IResourceLock Lock { get; init; }

    /// <summary>How long non-leaders wait, from the last change they observed, before taking the lock over (client-go default 15 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a failed renewal before it gives leadership up (default 10 s).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The pause between attempts to acquire or renew (default 2 s, jittered by up to 20 % when acquiring).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Run while this candidate leads; its token is cancelled when leadership ends.</summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }

    /// <summary>
    /// Awaited once when leadership ends (only if it started), before the lock is released; an exception is logged and
    /// the release still happens.
    /// </summary>
    public Func<Task>? OnStoppedLeading { get; init; }

    /// <summary>
    /// Called with the holder's identity whenever a different holder is observed (including this candidate). It is not
    /// awaited by the election loop (an election never waits on an observer); a failure is logged.
    /// </summary>
    public Func<string, Task>? OnNewLeader { get; init; }

    /// <summary>Give the lock up (empty holder) when stopped while leading, so a successor need not wait out the lease.</summary>
    public bool ReleaseOnCancel { get; init; }

    /// <summary>The clock for the lease arithmetic and every wait.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}
