using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Runtime;

namespace Skiff.Scheduler;

/// <summary>How a <see cref="Hosting.KubeScheduler"/> connects, which profiles it runs and how it elects a leader.</summary>
public sealed record SchedulerOptions : IControlPlaneComponentOptions
{
    /// <summary>Upstream's default profile name.</summary>
    public const string DefaultSchedulerName = "default-scheduler";

    /// <summary>The Lease upstream's kube-scheduler elects on (in <c>kube-system</c>).</summary>
    public const string LeaseName = "kube-scheduler";

    /// <summary>How to reach the API server, and as whom (in <c>skiff up</c>: <c>system:kube-scheduler</c>).</summary>
    public required ClientConfig Client { get; init; }

    public IReadOnlyList<ProfileConfig> Profiles { get; init; } = [new ProfileConfig()];

    /// <summary>Upstream's <c>percentageOfNodesToScore</c>; 0 means the adaptive default (50 − nodes/125, at least 5).</summary>
    public int PercentageOfNodesToScore { get; init; }

    /// <summary>
    /// Upstream's <c>parallelism</c> (default 16): how many workers filter and score nodes at once, capped by the
    /// processor count; small clusters (under 128 nodes to check) are filtered on the loop's own thread.
    /// </summary>
    public int Parallelism { get; init; } = 16;

    public bool LeaderElect { get; init; } = true;

    public string? Identity { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Out-of-tree plugins by name (upstream's <c>app.WithPlugin</c> registry): a profile turns one on by listing its
    /// name in <see cref="ProfileConfig.Enabled"/>; the factory runs once per profile.
    /// </summary>
    public IReadOnlyDictionary<string, Func<Framework.IPlugin>> OutOfTreePlugins { get; init; } = new Dictionary<string, Func<Framework.IPlugin>>(StringComparer.Ordinal);

    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
