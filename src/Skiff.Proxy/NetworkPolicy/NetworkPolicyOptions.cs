using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Proxy.Nftables;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>The NetworkPolicy enforcer's configuration.</summary>
public sealed record NetworkPolicyOptions
{
    /// <summary>This node's name: its pods (<c>spec.nodeName</c>) are the ones the enforcer isolates.</summary>
    public required string NodeName { get; init; }

    /// <summary>The <c>inet</c> table the enforcer owns (apart from kube-proxy's <c>ip kube-proxy</c>).</summary>
    public string TableName { get; init; } = NetworkPolicyRuleWriter.DefaultTable;

    /// <summary>Syncs are at least this far apart; changes in between coalesce (as kube-proxy's minSyncPeriod).</summary>
    public TimeSpan MinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A sync happens at least this often (repairs rules someone else removed).</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Applies the transactions (default: the nft binary).</summary>
    public INftables? Nft { get; init; }

    /// <summary>The sync runner's clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
