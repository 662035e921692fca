using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Proxy.Nftables;

namespace Skiff.Proxy;

/// <summary>kube-proxy's configuration (upstream's KubeProxyConfiguration, the parts the nftables mode uses).</summary>
public sealed record ProxierOptions
{
    /// <summary>This node's name: endpoints on it are local (traffic policies Local).</summary>
    public required string NodeName { get; init; }

    /// <summary>The table, CIDRs and mark.</summary>
    public NftablesOptions Nftables { get; init; } = new();

    /// <summary>Upstream's <c>minSyncPeriod</c>: syncs are at least this far apart (changes in between coalesce).</summary>
    public TimeSpan MinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upstream's <c>syncPeriod</c>: a sync happens at least this often.</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A periodic sync rewrites every chain when the last full one is older than this (upstream: 1 h).</summary>
    public TimeSpan FullSyncPeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Port of <c>/healthz</c> and <c>/livez</c> on every address (upstream's 10256; 0: off).</summary>
    public int HealthzPort { get; init; } = 10256;

    /// <summary>Port of <c>/metrics</c> on 127.0.0.1 (upstream's 10249; 0: off).</summary>
    public int MetricsPort { get; init; } = 10249;

    /// <summary>Serve healthCheckNodePorts of externalTrafficPolicy Local services.</summary>
    public bool ServeServiceHealthChecks { get; init; } = true;

    /// <summary>
    /// Program only this namespace's Services (tests that share a host's netfilter with a running cluster use it so
    /// their table does not capture that cluster's ClusterIPs, such as 10.0.0.1). Null: all namespaces.
    /// </summary>
    internal string? OnlyNamespace { get; init; }

    /// <summary>Applies the transactions (default: the nft binary).</summary>
    public INftables? Nft { get; init; }

    /// <summary>The clock of the sync runner and health checks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
