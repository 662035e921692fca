using System.Diagnostics;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Prometheus;
using Skiff.Client.Cache;
using Skiff.Client.Typed;
using Skiff.Proxy.Health;
using Skiff.Proxy.Model;
using Skiff.Proxy.Nftables;
using Skiff.Proxy.Sync;

namespace Skiff.Proxy;

/// <summary>
/// kube-proxy in upstream's nftables mode: informers over Services and EndpointSlices feed a
/// <see cref="BoundedFrequencyRunner"/>; each sync builds the service ports from the caches, generates one transaction
/// (<see cref="NftablesRuleWriter"/>) and applies it with one <c>nft -f</c>. The first sync recreates the table and
/// rewrites everything; later syncs rewrite only the chains of services that changed since the last successful one,
/// except that a periodic sync older than <see cref="ProxierOptions.FullSyncPeriod"/> and any sync after a failure are
/// full. Exposes <see cref="ProxyMetrics"/>, <c>/healthz</c> and the healthCheckNodePorts of ETP Local services.
/// </summary>
public sealed partial class Proxier : IAsyncDisposable
{
    private readonly ProxierOptions _options;
    private readonly SharedInformerFactory _informers;
    private readonly NftablesRuleWriter _writer;
    private readonly INftables _nft;
    private readonly ILogger _logger;
    private readonly BoundedFrequencyRunner _runner;
    private readonly ServiceHealthServer _serviceHealth;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Lister<V1Service> _services;
    private readonly Lister<V1EndpointSlice> _slices;
    private HashSet<string> _changed = new(StringComparer.Ordinal);
    private bool _needFullSync = true;
    private bool _recreate = true;
    private DateTimeOffset _lastFullSync;
    private IReadOnlyDictionary<string, ServiceObjects> _objects = new Dictionary<string, ServiceObjects>();
    private ProxyServer? _server;
    private Task _loop = Task.CompletedTask;
    private int _syncs;

    private Proxier(Clientset client, ProxierOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("Skiff.Proxy");
        var masqueradeAll = options.Nftables.MasqueradeAll;
        if (!masqueradeAll && options.Nft is null && !BridgeNetfilter.Ensure())
        {
            LogNoBridgeNetfilter(_logger);
            masqueradeAll = true;
        }

        _writer = new NftablesRuleWriter(options.Nftables with { MasqueradeAll = masqueradeAll });
        _nft = options.Nft ?? new NftCommand();
        _informers = new SharedInformerFactory(client);
        var services = _informers.Informer<V1Service>();
        var slices = _informers.Informer<V1EndpointSlice>();
        _services = services.Lister;
        _slices = slices.Lister;
        Metrics = new ProxyMetrics(Prometheus.Metrics.NewCustomRegistry());
        Health = new ProxyHealth(options.SyncPeriod, options.TimeProvider);
        _serviceHealth = new ServiceHealthServer(_logger);
        _runner = new BoundedFrequencyRunner(SyncAsync, options.MinSyncPeriod, options.SyncPeriod, options.TimeProvider);
        services.AddEventHandler(new ResourceEventHandler<V1Service>(
            (s, _) => Changed(s.Metadata.NamespaceProperty, s.Metadata.Name),
            (_, s) => Changed(s.Metadata.NamespaceProperty, s.Metadata.Name),
            (s, _) => Changed(s.Metadata.NamespaceProperty, s.Metadata.Name)));
        slices.AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(
            (s, _) => SliceChanged(s),
            (o, s) =>
            {
                SliceChanged(o);
                SliceChanged(s);
            },
            (s, _) => SliceChanged(s)));
    }

    /// <summary>The sync metrics (their registry is served on the metrics port).</summary>
    public ProxyMetrics Metrics { get; }

    /// <summary>The proxier's health as <c>/healthz</c> reports it.</summary>
    public ProxyHealth Health { get; }

    /// <summary>The options after defaults (MasqueradeAll turned on when br_netfilter is missing).</summary>
    public NftablesOptions RuleOptions => _writer.Options;

    /// <summary>How many syncs succeeded.</summary>
    public int Syncs => Volatile.Read(ref _syncs);

    /// <summary>Starts the informers, waits for their caches, starts the servers and the sync loop (the first sync runs at once).</summary>
    /// <exception cref="IOException">The healthz or metrics port is taken.</exception>
    public static async Task<Proxier> StartAsync(Clientset client, ProxierOptions options, CancellationToken ct)
    {
        var proxier = new Proxier(client, options);
        try
        {
            await proxier._informers.StartAsync(ct).ConfigureAwait(false);
            await proxier._informers.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
            if (options.HealthzPort > 0 || options.MetricsPort > 0)
            {
                proxier._server = await ProxyServer.StartAsync(options.HealthzPort, options.MetricsPort, proxier.Health, proxier.Metrics.Registry, options.TimeProvider, ct)
                    .ConfigureAwait(false);
            }

            proxier._loop = Task.Run(() => proxier._runner.LoopAsync(proxier._stop.Token), CancellationToken.None);
            return proxier;
        }
        catch
        {
            await proxier.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes every table object the proxier owns (<c>skiff proxy --cleanup</c>).</summary>
    public static Task CleanupAsync(NftablesOptions options, INftables? nft, CancellationToken ct) =>
        (nft ?? new NftCommand()).ApplyAsync(new NftablesRuleWriter(options).Cleanup(), ct);

    /// <summary>Asks for a sync (rate-limited by minSyncPeriod).</summary>
    public void RequestSync() => _runner.Run();

    private void SliceChanged(V1EndpointSlice slice)
    {
        if (slice.Metadata.Labels?.TryGetValue(ServiceSnapshot.ServiceNameLabel, out var service) == true)
        {
            Changed(slice.Metadata.NamespaceProperty, service);
        }
    }

    private void Changed(string? ns, string name)
    {
        lock (_gate)
        {
            _changed.Add($"{ns}/{name}");
        }

        Health.Queued();
        _runner.Run();
    }

    private async Task SyncAsync(CancellationToken ct)
    {
        HashSet<string> changed;
        bool full;
        var now = _options.TimeProvider.GetUtcNow();
        lock (_gate)
        {
            changed = _changed;
            _changed = new HashSet<string>(StringComparer.Ordinal);
            full = _needFullSync || now - _lastFullSync > _options.FullSyncPeriod;
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var states = BuildStates();
            var script = _writer.Write(states, full ? null : changed, _objects, _recreate);
            await _nft.ApplyAsync(script.Text, ct).ConfigureAwait(false);
            _objects = script.Objects;
            _recreate = false;
            if (full)
            {
                _lastFullSync = now;
            }

            lock (_gate)
            {
                _needFullSync = false;
            }

            var seconds = watch.Elapsed.TotalSeconds;
            Metrics.SyncDuration.Observe(seconds);
            (full ? Metrics.FullSyncDuration : Metrics.PartialSyncDuration).Observe(seconds);
            Metrics.LastSync.Set(_options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            Metrics.RulesTotal.Set(script.RuleCount);
            Health.Updated();
            Interlocked.Increment(ref _syncs);
            LogSynced(_logger, full ? "full" : "partial", states.Count, script.RuleCount, watch.Elapsed.TotalMilliseconds);
            if (_options.ServeServiceHealthChecks)
            {
                await _serviceHealth.SyncAsync(HealthChecks(states)).ConfigureAwait(false);
            }
        }
        catch (NftablesException e)
        {
            Metrics.SyncErrors.Inc();
            LogSyncFailed(_logger, e.Message);
            lock (_gate)
            {
                _needFullSync = true;
                _changed.UnionWith(changed);
            }

            _runner.Run();
        }
    }

    private List<ServicePortState> BuildStates()
    {
        var slicesByService = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        foreach (var slice in _slices.List())
        {
            if (slice.Metadata.Labels?.TryGetValue(ServiceSnapshot.ServiceNameLabel, out var service) == true)
            {
                var key = $"{slice.Metadata.NamespaceProperty}/{service}";
                if (!slicesByService.TryGetValue(key, out var list))
                {
                    slicesByService[key] = list = [];
                }

                list.Add(slice);
            }
        }

        var states = new List<ServicePortState>();
        foreach (var service in _services.List(_options.OnlyNamespace))
        {
            var key = $"{service.Metadata.NamespaceProperty}/{service.Metadata.Name}";
            states.AddRange(ServiceSnapshot.Build(service, slicesByService.GetValueOrDefault(key) ?? [], _options.NodeName));
        }

        return states;
    }

    private static Dictionary<int, (string, string, int)> HealthChecks(List<ServicePortState> states)
    {
        var result = new Dictionary<int, (string, string, int)>();
        foreach (var s in states)
        {
            if (s.Service.ExternalLocal && s.Service.HealthCheckNodePort > 0 && !result.ContainsKey(s.Service.HealthCheckNodePort))
            {
                result[s.Service.HealthCheckNodePort] = (s.Service.Namespace, s.Service.Name, EndpointCategories.Of(s).Local.Count);
            }
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        await _serviceHealth.DisposeAsync().ConfigureAwait(false);
        await _informers.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "br_netfilter is not available (no net.bridge.bridge-nf-call-iptables): masquerading all service traffic")]
    private static partial void LogNoBridgeNetfilter(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "synced proxy rules ({Kind}): {Ports} service ports, {Rules} rules in {Milliseconds} ms")]
    private static partial void LogSynced(ILogger logger, string kind, int ports, int rules, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "proxy rules sync failed, retrying with a full sync: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);
}
