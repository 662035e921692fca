using Prometheus;

namespace Skiff.Proxy;

/// <summary>
/// kube-proxy's sync metrics under upstream's names (<c>pkg/proxy/metrics</c>), in a prometheus-net registry:
/// <c>kubeproxy_sync_proxy_rules_duration_seconds</c> (every sync), its full/partial splits,
/// <c>kubeproxy_sync_proxy_rules_last_timestamp_seconds</c> and the number of rules written.
/// </summary>
public sealed class ProxyMetrics
{
    /// <summary>Creates the metrics in <paramref name="registry"/>.</summary>
    public ProxyMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        var buckets = Histogram.ExponentialBuckets(0.001, 2, 15);
        SyncDuration = factory.CreateHistogram("kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds",
            new HistogramConfiguration { Buckets = buckets });
        FullSyncDuration = factory.CreateHistogram("kubeproxy_sync_full_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for full resyncs",
            new HistogramConfiguration { Buckets = buckets });
        PartialSyncDuration = factory.CreateHistogram("kubeproxy_sync_partial_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for partial resyncs",
            new HistogramConfiguration { Buckets = buckets });
        LastSync = factory.CreateGauge("kubeproxy_sync_proxy_rules_last_timestamp_seconds", "The last time proxy rules were successfully synced");
        RulesTotal = factory.CreateGauge("kubeproxy_sync_proxy_rules_nftables_total", "Number of nftables rules written by the last sync");
        SyncErrors = factory.CreateCounter("kubeproxy_sync_proxy_rules_nftables_restore_failures_total", "Cumulative proxy nftables transaction failures");
    }

    /// <summary>The registry the metrics live in.</summary>
    public CollectorRegistry Registry { get; }

    internal Histogram SyncDuration { get; }

    internal Histogram FullSyncDuration { get; }

    internal Histogram PartialSyncDuration { get; }

    internal Gauge LastSync { get; }

    internal Gauge RulesTotal { get; }

    internal Counter SyncErrors { get; }
}
