using Skiff.Scheduler.Plugins.NodeResourcesFit;

namespace Skiff.Scheduler;

/// <summary>
/// One profile of a KubeSchedulerConfiguration: its <c>schedulerName</c>, the default plugins it disables (or
/// <c>*</c> for all), extra ones it enables, score weights that override the defaults, and NodeResourcesFit's scoring
/// strategy.
/// </summary>
public sealed record ProfileConfig
{
    public string SchedulerName { get; init; } = SchedulerOptions.DefaultSchedulerName;

    /// <summary>Plugin names to turn off; <c>*</c> turns off every default plugin.</summary>
    public IReadOnlySet<string> Disabled { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Plugin names to turn on (after <see cref="Disabled"/>), in order.</summary>
    public IReadOnlyList<string> Enabled { get; init; } = [];

    /// <summary>Score weights by plugin name (upstream defaults otherwise).</summary>
    public IReadOnlyDictionary<string, int> Weights { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    public ScoringStrategy ScoringStrategy { get; init; } = ScoringStrategy.LeastAllocated;

    /// <summary>RequestedToCapacityRatio's utilization→score shape (scores 0..10), null for upstream's default.</summary>
    public IReadOnlyList<(long Utilization, long Score)>? Shape { get; init; }
}
