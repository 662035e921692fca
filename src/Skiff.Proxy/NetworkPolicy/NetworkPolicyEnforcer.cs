using System.Diagnostics;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Typed;
using Skiff.Proxy.Nftables;
using Skiff.Proxy.Sync;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>
/// Enforces NetworkPolicies on this node (k3s's embedded kube-router netpol controller, on nftables): informers over
/// pods, namespaces and networkpolicies feed the same <see cref="BoundedFrequencyRunner"/> kube-proxy uses (at most one
/// sync per <see cref="NetworkPolicyOptions.MinSyncPeriod"/>, at least one per <see cref="NetworkPolicyOptions.SyncPeriod"/>);
/// each sync compiles the caches with <see cref="NetworkPolicyRuleWriter"/> and replaces the table with one
/// <c>nft -f</c>. A failed sync is retried at the next allowed time. br_netfilter must be on, or traffic between two pods
/// of the bridge never reaches the forward hook (the enforcer turns it on, and logs when it cannot).
/// </summary>
public sealed partial class NetworkPolicyEnforcer : IAsyncDisposable
{
    private readonly NetworkPolicyOptions _options;
    private readonly SharedInformerFactory _informers;
    private readonly NetworkPolicyRuleWriter _writer;
    private readonly INftables _nft;
    private readonly ILogger _logger;
    private readonly BoundedFrequencyRunner _runner;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lister<V1Pod> _pods;
    private readonly Lister<V1Namespace> _namespaces;
    private readonly Lister<V1NetworkPolicy> _policies;
    private Task _loop = Task.CompletedTask;
    private int _syncs;
    private long _lastSyncTicks;

    private NetworkPolicyEnforcer(Clientset client, NetworkPolicyOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("Skiff.NetworkPolicy");
        if (options.Nft is null && !BridgeNetfilter.Ensure())
        {
            LogNoBridgeNetfilter(_logger);
        }

        _writer = new NetworkPolicyRuleWriter(options.TableName);
        _nft = options.Nft ?? new NftCommand();
        _informers = new SharedInformerFactory(client);
        var pods = _informers.Informer<V1Pod>();
        var namespaces = _informers.Informer<V1Namespace>();
        var policies = _informers.Informer<V1NetworkPolicy>();
        _pods = pods.Lister;
        _namespaces = namespaces.Lister;
        _policies = policies.Lister;
        _runner = new BoundedFrequencyRunner(SyncAsync, options.MinSyncPeriod, options.SyncPeriod, options.TimeProvider);
        pods.AddEventHandler(new ResourceEventHandler<V1Pod>((_, _) => _runner.Run(), (o, n) => PodChanged(o, n), (_, _) => _runner.Run()));
        namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>((_, _) => _runner.Run(), (o, n) => LabelsChanged(o.Metadata, n.Metadata), (_, _) => _runner.Run()));
        policies.AddEventHandler(new ResourceEventHandler<V1NetworkPolicy>((_, _) => _runner.Run(), (_, _) => _runner.Run(), (_, _) => _runner.Run()));
    }

    /// <summary>How many syncs succeeded.</summary>
    public int Syncs => Volatile.Read(ref _syncs);

    /// <summary>How long the last successful sync took (compile + <c>nft -f</c>).</summary>
    public TimeSpan LastSyncDuration => TimeSpan.FromTicks(Interlocked.Read(ref _lastSyncTicks));

    /// <summary>The last script applied (null before the first sync).</summary>
    public PolicyScript? LastScript { get; private set; }

    /// <summary>Starts the informers, waits for their caches and starts the sync loop (the first sync runs at once).</summary>
    public static async Task<NetworkPolicyEnforcer> StartAsync(Clientset client, NetworkPolicyOptions options, CancellationToken ct)
    {
        var enforcer = new NetworkPolicyEnforcer(client, options);
        try
        {
            await enforcer._informers.StartAsync(ct).ConfigureAwait(false);
            await enforcer._informers.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
            enforcer._loop = Task.Run(() => enforcer._runner.LoopAsync(enforcer._stop.Token), CancellationToken.None);
            return enforcer;
        }
        catch
        {
            await enforcer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes the enforcer's table (every pod open again).</summary>
    public static Task CleanupAsync(string tableName, INftables? nft, CancellationToken ct) =>
        (nft ?? new NftCommand()).ApplyAsync(new NetworkPolicyRuleWriter(tableName).Cleanup(), ct);

    /// <summary>Asks for a sync (rate-limited).</summary>
    public void RequestSync() => _runner.Run();

    /// <summary>The compiler's input from the informers' caches.</summary>
    public PolicyInput Snapshot()
    {
        var pods = new List<PolicyPod>();
        foreach (var pod in _pods.List())
        {
            if (PolicyPod.From(pod, _options.NodeName) is { } p)
            {
                pods.Add(p);
            }
        }

        var namespaces = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var ns in _namespaces.List())
        {
            namespaces[ns.Metadata.Name] = ns.Metadata.Labels is { } l
                ? new Dictionary<string, string>(l, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return new PolicyInput(_policies.List(), pods, namespaces);
    }

    private void PodChanged(V1Pod old, V1Pod pod)
    {
        // Status churn (conditions, container states) changes no rule; addresses, labels, node and phase do.
        if (old.Status?.PodIP != pod.Status?.PodIP || old.Spec?.NodeName != pod.Spec?.NodeName || old.Status?.Phase != pod.Status?.Phase
            || !SameLabels(old.Metadata.Labels, pod.Metadata.Labels))
        {
            _runner.Run();
        }
    }

    private void LabelsChanged(V1ObjectMeta old, V1ObjectMeta meta)
    {
        if (!SameLabels(old.Labels, meta.Labels))
        {
            _runner.Run();
        }
    }

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    private async Task SyncAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var script = _writer.Write(Snapshot());
            await _nft.ApplyAsync(script.Text, ct).ConfigureAwait(false);
            LastScript = script;
            Interlocked.Exchange(ref _lastSyncTicks, watch.Elapsed.Ticks);
            Interlocked.Increment(ref _syncs);
            LogSynced(_logger, script.IngressIsolatedPods, script.EgressIsolatedPods, script.RuleCount, watch.Elapsed.TotalMilliseconds);
        }
        catch (NftablesException e)
        {
            LogSyncFailed(_logger, e.Message);
            _runner.Run();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _informers.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "br_netfilter is not available (no net.bridge.bridge-nf-call-iptables): NetworkPolicies cannot filter traffic between pods of one bridge")]
    private static partial void LogNoBridgeNetfilter(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "synced network policy rules: {Ingress} pods isolated for ingress, {Egress} for egress, {Rules} rules in {Milliseconds} ms")]
    private static partial void LogSynced(ILogger logger, int ingress, int egress, int rules, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "network policy rules sync failed, retrying: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);
}
