namespace Skiff.Client.Discovery;

/// <summary>How a <see cref="DiscoveryClient"/> fetches and caches.</summary>
public sealed record DiscoveryClientOptions
{
    /// <summary>Ask for aggregated discovery (apidiscovery.k8s.io/v2) first; false always uses the legacy endpoints.</summary>
    public bool PreferAggregated { get; init; } = true;

    /// <summary>How long a fetched document is reused before the next call refetches; infinite by default (invalidate explicitly).</summary>
    public TimeSpan CacheTtl { get; init; } = Timeout.InfiniteTimeSpan;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
