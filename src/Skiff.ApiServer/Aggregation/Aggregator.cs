using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.Storage;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// The aggregation layer inside the API server (upstream kube-aggregator, which fronts kube-apiserver): follows
/// every APIService in storage, keeps a local APIService for every served group/version (<see cref="AutoRegistration"/>),
/// probes the backends and writes their Available condition (<see cref="AvailabilityController"/>), proxies requests
/// for a group/version with a <c>service</c> to its backend, and merges available backends' discovery into
/// <c>/apis</c> (<see cref="MergedDiscovery"/>). Requests reach it authenticated and authorized.
/// </summary>
internal sealed class Aggregator : IAsyncDisposable
{
    /// <summary>The storage prefix of APIServices.</summary>
    public const string Prefix = "/registry/apiregistration.k8s.io/apiservices/";

    private readonly ConcurrentDictionary<string, JsonObject> _services = new(StringComparer.Ordinal);
    private readonly StorageFollower _follower;
    private readonly ServiceResolver _resolver;
    private readonly BackendTransports _transports;
    private readonly KubeletProxy _upgrader;
    private readonly ILogger _logger;
    private readonly X509Certificate2 _proxyClientCertificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    /// <summary>Creates the layer; nothing runs until <see cref="StartAsync"/>.</summary>
    public Aggregator(ResourceRegistry registry, ResourceEndpoint endpoint, IStorage storage, X509Certificate2 proxyClientCertificate,
        bool endpointRouting, TimeSpan checkInterval, TimeProvider clock, ILogger logger)
    {
        _logger = logger;
        _proxyClientCertificate = proxyClientCertificate;
        _follower = new StorageFollower(storage, Prefix);
        _follower.Reset += all =>
        {
            var names = all.Values.Select(Store.Meta.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _services.Keys.Where(k => !names.Contains(k)))
            {
                _services.TryRemove(gone, out _);
            }

            foreach (var obj in all.Values)
            {
                OnChanged(Store.Meta.Name(obj), obj);
            }
        };
        _follower.Changed += (key, obj) => OnChanged(key[(key.LastIndexOf('/') + 1)..], obj);
        _resolver = new ServiceResolver(registry, endpoint, endpointRouting);
        _transports = new BackendTransports(() => proxyClientCertificate);
        _upgrader = new KubeletProxy(() => proxyClientCertificate);
        Discovery = new MergedDiscovery(this);
        AutoRegistration = new AutoRegistration(registry, endpoint, this, logger);
        Availability = new AvailabilityController(registry, endpoint, this, _resolver, _transports, checkInterval, clock, logger);
    }

    /// <summary>The local APIServices for the served set.</summary>
    public AutoRegistration AutoRegistration { get; }

    /// <summary>The Available condition's controller.</summary>
    public AvailabilityController Availability { get; }

    /// <summary>The merge of backends' discovery into the server's.</summary>
    public MergedDiscovery Discovery { get; }

    /// <summary>Every APIService, as last seen in storage.</summary>
    public IEnumerable<ApiServiceInfo> Services => _services.Values.Select(ApiServiceInfo.From);

    /// <summary>The APIService named <paramref name="name"/> as stored, or null.</summary>
    public JsonObject? Find(string name) => _services.GetValueOrDefault(name);

    /// <summary>Raised when an APIService was added, removed or its spec changed (not on status-only writes).</summary>
    public event Action? SpecChanged;

    /// <summary>Follows storage, registers the local APIServices once, then keeps both loops running.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _loops.Add(Task.Run(() => _follower.RunAsync(_stop.Token), CancellationToken.None));
        await _follower.Synced.WaitAsync(ct).ConfigureAwait(false);
        await AutoRegistration.SyncAsync(ct).ConfigureAwait(false);
        _loops.Add(Task.Run(() => AutoRegistration.RunAsync(_stop.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => Availability.RunAsync(_stop.Token), CancellationToken.None));
    }

    /// <summary>
    /// Serves <paramref name="ctx"/> when it addresses an aggregated group/version (<c>/apis/GROUP/VERSION/…</c> of an
    /// APIService with a service: proxied, or 503 while it is not Available) or the discovery document of a group only
    /// backends serve (<c>/apis/GROUP</c>). False when the request is the local server's.
    /// </summary>
    public async Task<bool> TryHandleAsync(HttpContext ctx, string path, UserInfo user, Func<string, bool> groupServedLocally, CancellationToken ct)
    {
        var parts = path.Trim('/').Split('/');
        if (parts.Length < 2 || parts[0] != "apis")
        {
            return false;
        }

        if (parts.Length == 2)
        {
            if (!(HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method))
                || groupServedLocally(parts[1]) || Discovery.GroupDocument(parts[1]) is not { } group)
            {
                return false;
            }

            await Http.Responses.WriteAsync(ctx, 200, group).ConfigureAwait(false);
            return true;
        }

        // Local APIServices (every built-in group/version) are answered from one lookup, without parsing the object.
        if (Find(parts[2] + "." + parts[1]) is not { } obj || obj["spec"]?["service"] is not JsonObject
            || ApiServiceInfo.From(obj) is not { Service: { } service } info)
        {
            return false;
        }

        if (!info.Available)
        {
            await AggregationProxy.WritePlainAsync(ctx, 503, "service unavailable", ct).ConfigureAwait(false);
            return true;
        }

        Uri backend;
        try
        {
            backend = await _resolver.ResolveAsync(service, ct).ConfigureAwait(false);
        }
        catch (ResolveException e)
        {
            AggregationLog.ResolveFailed(_logger, service.Namespace, service.Name, e.Message);
            await AggregationProxy.WritePlainAsync(ctx, 503, "service unavailable", ct).ConfigureAwait(false);
            return true;
        }

        // A proxied WATCH initialises at the backend: this server gives its API Priority and Fairness seats back now.
        FlowControl.FlowAdmission.WatchInitialized(ctx);
        if (IsUpgrade(ctx.Request))
        {
            AggregationProxy.SetUserHeaders(ctx.Request, user);
            var url = new Uri(backend, (ctx.Request.PathBase + ctx.Request.Path).ToUriComponent() + ctx.Request.QueryString.ToUriComponent());
            // The upgrade dials its own connection; it checks the backend as plain requests do (caBundle, service name).
            await _upgrader.UpgradeToAsync(ctx, url, presentCertificate: true,
                (_, cert, chain, errors) => BackendTransports.Verify(info, cert as System.Security.Cryptography.X509Certificates.X509Certificate2, chain, errors),
                info.ServerName ?? url.IdnHost, ct).ConfigureAwait(false);
            return true;
        }

        await AggregationProxy.ForwardAsync(ctx, backend, info, _proxyClientCertificate, user, ct).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _transports.Dispose();
        _upgrader.Dispose();
        _stop.Dispose();
    }

    private static bool IsUpgrade(HttpRequest request) =>
        request.Headers.Connection.Any(c => c?.Contains("upgrade", StringComparison.OrdinalIgnoreCase) == true) && request.Headers.Upgrade.Count > 0;

    private void OnChanged(string name, JsonObject? obj)
    {
        var old = _services.GetValueOrDefault(name);
        if (obj is null)
        {
            _services.TryRemove(name, out _);
            Discovery.Forget(name);
        }
        else
        {
            _services[name] = obj;
        }

        if (old is null || obj is null || !JsonNode.DeepEquals(old["spec"], obj["spec"]))
        {
            SpecChanged?.Invoke();
        }
    }
}
