using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Dns.Server;
using Skiff.Dns.Zone;

namespace Skiff.Dns;

/// <summary>
/// The cluster DNS as a library (what <c>skiff dns</c> and <c>skiff up</c> run in process, like k3s ships CoreDNS but
/// without a pod): <see cref="StartAsync"/> syncs the zone from Services and EndpointSlices, binds the server (UDP and
/// TCP) and keeps the <c>kube-system/kube-dns</c> Service and its endpoints pointing at it until disposed.
/// </summary>
public sealed partial class ClusterDns : IAsyncDisposable
{
    private readonly ClusterDnsOptions _options;
    private readonly ILogger _logger;
    private readonly Clientset _client;
    private readonly ClusterZone _zone;
    private readonly CancellationTokenSource _stop = new();
    private ZoneSync? _sync;
    private ClusterDnsServer? _server;
    private DnsForwarder? _forwarder;
    private Task _reconcile = Task.CompletedTask;

    public ClusterDns(ClusterDnsOptions options)
    {
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Dns");
        _client = new Clientset(options.Client);
        _zone = new ClusterZone(new ZoneSettings { Domain = options.ClusterDomain.TrimEnd('.'), Ttl = options.Ttl });
    }

    /// <summary>Where the server listens (after start).</summary>
    public IPEndPoint Endpoint => _server?.Endpoint ?? throw new InvalidOperationException("the cluster DNS has not started");

    /// <summary>The address written into the kube-dns endpoints (after start).</summary>
    public string? AdvertisedAddress { get; private set; }

    /// <summary>The upstream resolvers names outside the zone go to (after start).</summary>
    public IReadOnlyList<IPEndPoint> Upstreams => _forwarder?.Upstreams ?? [];

    /// <summary>
    /// Syncs the zone, binds the server and writes the kube-dns Service and endpoints once; then keeps them current in
    /// the background.
    /// </summary>
    /// <param name="nodeAddress">The node's address, advertised when the bind address is a wildcard.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <exception cref="SocketException">The bind address cannot be bound.</exception>
    public async Task StartAsync(string? nodeAddress, CancellationToken ct)
    {
        _sync = new ZoneSync(_client, _zone, _options.LoggerFactory);
        await _sync.StartAsync(ct).ConfigureAwait(false);
        var bind = _options.Bind;
        _forwarder = new DnsForwarder(_options.Upstreams ?? ResolvConf.Load(_options.ResolvConf, [bind.Address]), TimeSpan.FromSeconds(2));
        _server = new ClusterDnsServer(_zone, _forwarder, _logger);
        _server.Start(bind);
        AdvertisedAddress = _options.AdvertiseAddress
            ?? (bind.Address.Equals(IPAddress.Any) || bind.Address.Equals(IPAddress.IPv6Any) ? nodeAddress ?? "127.0.0.1" : bind.Address.ToString());
        LogServing(_logger, _server.Endpoint!.ToString(), AdvertisedAddress, string.Join(",", _forwarder.Upstreams));
        if (_options.ServiceIp is { } serviceIp)
        {
            await EnsureOnceAsync(serviceIp, ct).ConfigureAwait(false);
            _reconcile = ReconcileLoopAsync(serviceIp, _stop.Token);
        }
    }

    /// <summary>Stops the reconcile loop, the server and the informers.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _reconcile.ConfigureAwait(false);
        _server?.Dispose();
        _forwarder?.Dispose();
        if (_sync is not null)
        {
            await _sync.DisposeAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task ReconcileLoopAsync(string serviceIp, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.ReconcilePeriod, ct).ConfigureAwait(false);
                await EnsureOnceAsync(serviceIp, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task EnsureOnceAsync(string serviceIp, CancellationToken ct)
    {
        try
        {
            await KubeDnsService.EnsureAsync(_client, serviceIp, AdvertisedAddress!, Endpoint.Port, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException or IOException)
        {
            LogReconcileFailed(_logger, e.Message, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster DNS serving on {Endpoint} (advertised to pods as {Address}), forwarding to [{Upstreams}]")]
    private static partial void LogServing(ILogger logger, string endpoint, string address, string upstreams);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot reconcile kube-system/kube-dns: {Reason}")]
    private static partial void LogReconcileFailed(ILogger logger, string reason, Exception e);
}
