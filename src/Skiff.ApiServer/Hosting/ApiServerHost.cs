using System.Net;
using Microsoft.AspNetCore.Http;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Metrics;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// The API server process part: loads or creates the cluster PKI in the data directory, creates the system
/// namespaces, serves HTTPS (HTTP/1.1 and HTTP/2) with client-certificate and bearer-token authentication, and
/// writes <c>admin.kubeconfig</c>. Start with <see cref="StartAsync"/>, stop with <see cref="DisposeAsync"/>.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private ApiServerOptions _options;
    private WebApplication? _app;
    private CachingStorage? _cache;
    private ResourceEndpoint? _resources;
    private Skiff.ApiServer.CustomResources.CustomResourceDefinitionController? _crds;
    private Skiff.ApiServer.Aggregation.Aggregator? _aggregator;
    private Skiff.ApiServer.Audit.AuditLogWriter? _auditLog;
    private readonly Lock _servedLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _groups = new(StringComparer.Ordinal);
    private volatile bool _stopping;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Creates a host; nothing runs until <see cref="StartAsync"/>.</summary>
    public ApiServerHost(ApiServerOptions options)
    {
        _options = options;
        Registry = new ResourceRegistry(options.Resources);
        Metrics = options.Metrics ?? new ApiServerMetrics();
        _options = options with { Metrics = Metrics };
    }

    /// <summary>The metrics served at <c>/metrics</c>.</summary>
    public ApiServerMetrics Metrics { get; }

    /// <summary>The served resources (add custom resources here at run time).</summary>
    public ResourceRegistry Registry { get; }

    /// <summary>The cluster PKI (after start).</summary>
    public ClusterCertificates Certificates { get; private set; } = null!;

    /// <summary>The rotating serving certificate (null when the certificates were handed in by the caller).</summary>
    public ServingCertificateRotator? ServingCertificates { get; private set; }

    /// <summary>The service-account signing and verification keys (after start).</summary>
    public ServiceAccountKeys ServiceAccountKeys { get; private set; } = null!;

    /// <summary>Signs service-account tokens (after start).</summary>
    public TokenIssuer TokenIssuer { get; private set; } = null!;

    /// <summary>Validates service-account tokens (after start).</summary>
    public ServiceAccountTokenAuthenticator ServiceAccountAuthenticator { get; private set; } = null!;

    private BoundObjectCache? _boundObjects;

    /// <summary>The store requests are served from: the watch cache over the configured store when it is on (after start).</summary>
    public Skiff.Storage.IStorage Storage => _options.Storage;

    /// <summary>The periodic compactor (after start; null when compaction is off).</summary>
    public StorageCompactor? Compactor { get; private set; }

    /// <summary>The authorization step (after start; null when <see cref="ApiServerOptions.EnforceAuthorization"/> is off).</summary>
    public Skiff.ApiServer.Authorization.AuthorizationGate? Authorization { get; private set; }

    /// <summary>API Priority and Fairness (after start; null when turned off).</summary>
    public Skiff.ApiServer.FlowControl.FlowController? FlowControl { get; private set; }

    /// <summary>The bound port (after start).</summary>
    public int Port { get; private set; }

    /// <summary>The server URL, <c>https://127.0.0.1:PORT</c> (after start).</summary>
    public string Url => $"https://{(_options.BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback : _options.BindAddress)}:{Port}";

    /// <summary>The watch cache over the store, when <see cref="ApiServerOptions.WatchCache"/> is on and the host started.</summary>
    internal CachingStorage? WatchCacheStorage => _cache;

    /// <summary>The admin kubeconfig path in the data directory.</summary>
    public string KubeconfigPath => Path.Combine(_options.DataDirectory, "admin.kubeconfig");

    /// <summary>Loads the PKI, seeds the system namespaces and starts serving.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_options.DataDirectory);
        if (_options.Storage is not InstrumentedStorage)
        {
            _options = _options with { Storage = new InstrumentedStorage(_options.Storage, Metrics, StorageType) };
            Metrics.TrackStorageObjects(() => Registry.All, (prefix, token) => _options.Storage.CountAsync(prefix, token));
        }

        if (_options.WatchCache && _cache is null)
        {
            // Every stored built-in resource with a watch verb gets a watch cache (upstream caches every resource).
            var prefixes = Registry.All.Where(d => d.Verbs.Contains("watch")).Select(d => d.StoragePrefix).Distinct(StringComparer.Ordinal).ToList();
            _cache = new CachingStorage(_options.Storage, new CachingStorageOptions { Prefixes = prefixes, DisposeInner = false });
            _options = _options with { Storage = _cache };
            await _cache.StartAsync(ct).ConfigureAwait(false);
        }

        Certificates = _options.Certificates ?? ClusterCertificates.LoadOrCreate(Path.Combine(_options.DataDirectory, "pki"));
        if (_options.Certificates is null)
        {
            // The serving certificate of the data directory is renewed (or reloaded from disk) without a restart.
            // SANs as upstream's: every listen address, the advertised address and the kubernetes Service's IP (the
            // first of the service range), besides the loopback addresses and kubernetes[.default[.svc[.cluster.local]]].
            IPAddress[] sans = [_options.BindAddress, .. _options.AdvertiseAddress is { } advertised ? [advertised] : Array.Empty<IPAddress>(), .. KubernetesServiceIps()];
            ServingCertificates = new ServingCertificateRotator(Path.Combine(_options.DataDirectory, "pki"), Certificates.Serving, sans, _options.Clock);
            ServingCertificates.Select();
        }

        var saSettings = _options.ServiceAccountTokens;
        ServiceAccountKeys ??= ServiceAccountKeys.LoadOrCreate(Path.Combine(_options.DataDirectory, "pki"), saSettings.SigningKeyFile, saSettings.KeyFiles);
        TokenIssuer = new TokenIssuer(ServiceAccountKeys, saSettings.Issuers[0], _options.Clock);
        _options = _options with { Extensions = [.. _options.Extensions, new OidcDiscovery(ServiceAccountKeys, saSettings.Issuers[0])] };
        var resources = new ResourceEndpoint(Registry, _options) { ServiceAccountTokenIssuer = TokenIssuer };
        _resources = resources;
        Registry.Changed += OnServedSetChanged;
        await SeedNamespacesAsync(resources, ct).ConfigureAwait(false);
        await Admission.SystemPriorityClasses.EnsureAsync(Registry, resources, ct).ConfigureAwait(false);
        await ClusterBootstrap.RepairServiceAllocatorsAsync(Registry, resources, _options, ct).ConfigureAwait(false);
        if (_options.EnforceAuthorization)
        {
            Authorization = await Skiff.ApiServer.Authorization.AuthorizationSetup.StartAsync(Registry, resources, _options.Storage, _stop.Token, ct).ConfigureAwait(false);
        }

        // TLS 1.2 clients without signature_algorithms (busybox wget in a pod) get a handshake, as from Go's crypto/tls.
        LegacyTlsSignatures.EnsureEnabled();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start failures are thrown to the caller
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;

            // Warnings quote field names from the request, which may be any text: written as UTF-8, as Go writes them.
            k.ResponseHeaderEncodingSelector = name => string.Equals(name, "Warning", StringComparison.OrdinalIgnoreCase) ? System.Text.Encoding.UTF8 : null;
            k.Limits.MaxRequestBodySize = null;

            // As upstream's secure serving: 100 streams per connection unless configured, 256 KiB frames and per-stream
            // receive window (most API bodies in one frame), and a connection window for every stream's.
            const int resourceBody99Percentile = 256 * 1024;
            var streams = _options.Http2MaxStreamsPerConnection > 0 ? _options.Http2MaxStreamsPerConnection : 100;
            k.Limits.Http2.MaxStreamsPerConnection = streams;
            k.Limits.Http2.MaxFrameSize = resourceBody99Percentile;
            k.Limits.Http2.InitialStreamWindowSize = resourceBody99Percentile;
            k.Limits.Http2.InitialConnectionWindowSize = (int)Math.Min(int.MaxValue, (long)resourceBody99Percentile * streams);
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(5);
            k.Listen(_options.BindAddress, _options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, _) => ServingCertificates?.Select() ?? Certificates.Serving,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,

                    // Trust is decided per request by the authenticator, so a bad certificate gets a 401 Status.
                    ClientCertificateValidation = (_, _, _) => true,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                });
            });
        });

        if (_options.CompactionInterval > TimeSpan.Zero && _options.CompactionInterval != Timeout.InfiniteTimeSpan)
        {
            builder.Services.AddHostedService(sp =>
            {
                Compactor = new StorageCompactor(_options.Storage, _options.CompactionInterval, _options.Clock,
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("Skiff.ApiServer.Compactor"));
                return Compactor;
            });
        }

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Skiff.ApiServer");
        if (Registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions") is not null)
        {
            // Established CRDs are served before the first request, as upstream's readiness waits for them.
            _crds = new Skiff.ApiServer.CustomResources.CustomResourceDefinitionController(Registry, resources, _options.Storage, _options.Clock,
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Skiff.ApiServer.CustomResources"));
            _crds.Start();
            await _crds.Synced.WaitAsync(ct).ConfigureAwait(false);
        }

        _boundObjects = new BoundObjectCache(_options.Storage, ["/registry/serviceaccounts/", "/registry/pods/", "/registry/secrets/", "/registry/nodes/"], _options.Clock, logger);
        _boundObjects.Start();
        ServiceAccountAuthenticator = new ServiceAccountTokenAuthenticator(ServiceAccountKeys, saSettings, _boundObjects, _options.Clock);
        var tokenFile = _options.Tokens;
        var saAuthenticator = ServiceAccountAuthenticator;
        var bootstrapTokens = new Skiff.ApiServer.Authentication.BootstrapTokens.BootstrapTokenAuthenticator(_boundObjects, _options.Clock);
        resources.TokenReviewer = async (token, cancel) => tokenFile.Find(token) is { } u ? TokenValidation.Ok(u)
            : await bootstrapTokens.AuthenticateTokenAsync(token, cancel).ConfigureAwait(false) is { } b ? TokenValidation.Ok(b)
            : await saAuthenticator.ValidateAsync(token, cancel).ConfigureAwait(false);
        var requestHeader = _options.RequestHeader is { } rh ? new RequestHeaderAuthenticator(rh, Certificates.FrontProxyCa) : null;
        var authenticator = new Authenticator(Certificates, _options.Tokens, _options.ClientCas,
            new TokenAuthenticatorUnion([bootstrapTokens, ServiceAccountAuthenticator]), requestHeader);
        await Skiff.ApiServer.Aggregation.ExtensionApiServerAuthentication.PublishAsync(Registry, resources,
            Skiff.ApiServer.Aggregation.ExtensionApiServerAuthentication.Data(Certificates, _options.ClientCas, requestHeader), ct).ConfigureAwait(false);
        if (Registry.Find("apiregistration.k8s.io", "v1", "apiservices") is not null)
        {
            // Local APIServices exist before the first request, as upstream's autoregister readiness check waits for them.
            _aggregator = new Skiff.ApiServer.Aggregation.Aggregator(Registry, resources, _options.Storage, Certificates.FrontProxyClient,
                _options.EnableAggregatorRouting, _options.ApiServiceCheckInterval, _options.Clock,
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Skiff.ApiServer.Aggregation"));
            await _aggregator.StartAsync(ct).ConfigureAwait(false);
        }

        FlowControl = await Skiff.ApiServer.FlowControl.FlowControlSetup.StartAsync(_options.FlowControl, Registry, resources, _options.Storage, Metrics.Registry,
            _options.Clock, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Skiff.ApiServer.FlowControl"), _stop.Token, ct).ConfigureAwait(false);
        var handler = new ApiHandler(_options, Registry, authenticator, resources, Metrics, CreateHealthChecks(), logger, Authorization, _aggregator, FlowControl);
        var audit = CreateAuditPipeline();
        RequestDelegate serve = ctx => audit.HandleAsync(ctx, handler.HandleAsync);
        if (_options.OpenApi is { } openApi)
        {
            // OpenAPI endpoints run behind the same authentication; everything else goes to the API handler.
            app.Use(async (ctx, next) =>
            {
                if (ctx.Request.Path.StartsWithSegments("/openapi", StringComparison.Ordinal) && await handler.AuthenticateOrRejectAsync(ctx).ConfigureAwait(false))
                {
                    await next(ctx).ConfigureAwait(false);
                    return;
                }

                if (!ctx.Request.Path.StartsWithSegments("/openapi", StringComparison.Ordinal))
                {
                    await serve(ctx).ConfigureAwait(false);
                }
            });
            Skiff.ApiServer.OpenApi.OpenApiEndpoints.MapOpenApi(app, openApi);
        }
        else
        {
            app.Run(serve);
        }
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        if (_options.KubernetesService)
        {
            var endpointIp = _options.AdvertiseAddress?.ToString()
                ?? (_options.BindAddress.Equals(IPAddress.Any) || _options.BindAddress.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : _options.BindAddress.ToString());
            await ClusterBootstrap.EnsureKubernetesServiceAsync(Registry, resources, endpointIp, Port, ct).ConfigureAwait(false);
        }

        if (_options.WriteKubeconfig)
        {
            KubeconfigWriter.WriteAdmin(KubeconfigPath, Url, Certificates);
        }
    }

    /// <summary>
    /// Follows the served set: the OpenAPI documents (with each custom resource version's schema), the watch cache's
    /// prefixes (one per stored resource with a watch verb) and the endpoint's stores (those no longer served go).
    /// </summary>
    private void OnServedSetChanged()
    {
        lock (_servedLock)
        {
            var all = Registry.All;
            if (_options.OpenApi is Skiff.ApiServer.OpenApi.OpenApiService openApi)
            {
                var custom = all.Select(d => d.Strategy).OfType<Skiff.ApiServer.CustomResources.CustomResourceStrategy>()
                    .Select(c => new Skiff.ApiServer.OpenApi.CustomResourceSchema(c.Group, c.Version, c.Kind, c.OpenApiSchema))
                    .ToList();
                openApi.Update(all, custom);
            }

            if (_cache is { } cache && !_stopping)
            {
                var wanted = all.Where(d => d.Verbs.Contains("watch")).Select(d => d.StoragePrefix).ToHashSet(StringComparer.Ordinal);
                foreach (var prefix in wanted)
                {
                    cache.AddPrefix(prefix);
                }

                foreach (var prefix in cache.Prefixes.Where(p => !wanted.Contains(p)))
                {
                    _ = cache.RemovePrefixAsync(prefix);
                }
            }

            _resources?.EvictUnserved();
        }
    }

    private HealthChecks CreateHealthChecks()
    {
        var storage = _options.Storage;
        var cache = _cache;
        return new HealthChecks(
            [
                ("ping", _ => Task.FromResult(true)),
                ("etcd", async ct => (await storage.CheckHealthAsync(ct).ConfigureAwait(false)).Healthy),
            ],
            [
                ("informer-sync", _ => Task.FromResult(cache is null || cache.IsSynced)),
                ("shutdown", _ => Task.FromResult(!_stopping)),
            ]);
    }

    /// <summary>The group-resource a storage key belongs to (<c>pods</c>, <c>deployments.apps</c>), for storage metrics.</summary>
    /// <summary>The kubernetes Service's cluster IP (the first address of the service range), when Services are served.</summary>
    private IEnumerable<IPAddress> KubernetesServiceIps() =>
        Registry.Find("", "v1", "services") is { Strategy: Skiff.ApiServer.Registry.Core.ServiceStrategy strategy }
            && IPAddress.TryParse(strategy.Allocators.KubernetesServiceIp, out var ip) ? [ip] : [];

    private string StorageType(string key)
    {
        // Keys are /registry/<resource>/... or /registry/<group>/<resource>/...
        var parts = key.Split('/', 5);
        if (parts.Length < 3)
        {
            return "";
        }

        var isGroup = parts.Length >= 4 && _groups.GetOrAdd(parts[2], g => Registry.All.Any(d => d.Group == g));
        return isGroup ? $"{parts[3]}.{parts[2]}" : parts[2];
    }

    private async Task SeedNamespacesAsync(ResourceEndpoint resources, CancellationToken ct)
    {
        if (Registry.Find("", "v1", "namespaces") is not { } nsDescriptor)
        {
            return;
        }

        var store = resources.StoreFor(nsDescriptor);
        foreach (var name in _options.SystemNamespaces)
        {
            if (await store.GetRawAsync("", name, ct).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                var obj = new System.Text.Json.Nodes.JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Namespace",
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
                };
                await store.CreateAsync("", obj, new WriteOptions(false, "kube-apiserver"), ct).ConfigureAwait(false);
            }
            catch (StatusException e) when (e.Code == 409)
            {
                // Created concurrently.
            }
        }
    }

    /// <summary>The audit step: the policy file is loaded (an invalid one fails the start) and the log opened when both are set.</summary>
    private Skiff.ApiServer.Audit.AuditPipeline CreateAuditPipeline()
    {
        var options = _options.Audit;
        if (!options.Enabled)
        {
            return new Skiff.ApiServer.Audit.AuditPipeline(null, null, _options.Clock);
        }

        var policy = Skiff.ApiServer.Audit.AuditPolicy.Load(options.PolicyFile!);
        _auditLog = new Skiff.ApiServer.Audit.AuditLogWriter(options, _options.Clock);
        return new Skiff.ApiServer.Audit.AuditPipeline(policy, _auditLog, _options.Clock);
    }

    /// <summary>Stops serving (open watches end) and waits for in-flight requests briefly.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_crds is not null)
        {
            await _crds.DisposeAsync().ConfigureAwait(false);
            _crds = null;
        }

        Registry.Changed -= OnServedSetChanged;
        if (_aggregator is not null)
        {
            await _aggregator.DisposeAsync().ConfigureAwait(false);
            _aggregator = null;
        }

        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Gave up waiting for long-running requests.
            }

            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }

        if (_auditLog is not null)
        {
            await _auditLog.DisposeAsync().ConfigureAwait(false);
            _auditLog = null;
        }

        if (_boundObjects is not null)
        {
            await _boundObjects.DisposeAsync().ConfigureAwait(false);
            _boundObjects = null;
        }

        if (_cache is not null)
        {
            await _cache.DisposeAsync().ConfigureAwait(false);
            _cache = null;
        }

        ServiceAccountKeys?.Dispose();
    }
}
