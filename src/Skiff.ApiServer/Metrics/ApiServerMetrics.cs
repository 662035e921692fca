using System.Globalization;
using Microsoft.AspNetCore.Http;
using Prometheus;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Metrics;

/// <summary>
/// One API server's Prometheus metrics, in its own prometheus-net registry (so several servers in one process never
/// share series), with upstream's names and labels (kubernetes/apiserver <c>pkg/endpoints/metrics</c>,
/// <c>pkg/storage/etcd3/metrics</c>): <c>apiserver_request_total</c>, <c>apiserver_request_duration_seconds</c>,
/// <c>apiserver_current_inflight_requests</c>, <c>apiserver_watch_events_total</c>, <c>apiserver_storage_objects</c>,
/// <c>etcd_request_duration_seconds</c> and the process collector's <c>process_*</c>. Served at <c>/metrics</c>.
/// </summary>
public sealed class ApiServerMetrics
{
    private static readonly double[] LatencyBuckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Gauge _inflight;
    private readonly Counter _watchEvents;
    private readonly Gauge _storageObjects;
    private readonly Histogram _storageLatency;

    /// <summary>
    /// No exemplars (upstream's metrics publish none): prometheus-net's default reads the current trace context and a
    /// clock on every observation, which showed in every request's profile.
    /// </summary>
    internal static readonly Prometheus.ExemplarBehavior NoExemplars = new() { DefaultExemplarProvider = null };

    /// <summary>Creates the registry and its collectors (including <c>process_*</c>).</summary>
    public ApiServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        factory.ExemplarBehavior = ApiServerMetrics.NoExemplars;
        _requests = factory.CreateCounter("apiserver_request_total",
            "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
            ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"]);
        _latency = factory.CreateHistogram("apiserver_request_duration_seconds",
            "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
            ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"],
            new HistogramConfiguration { Buckets = LatencyBuckets });
        _inflight = factory.CreateGauge("apiserver_current_inflight_requests",
            "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.", ["request_kind"]);
        _watchEvents = factory.CreateCounter("apiserver_watch_events_total",
            "Number of events sent in watch clients", ["group", "version", "resource"]);
        _storageObjects = factory.CreateGauge("apiserver_storage_objects",
            "Number of stored objects at the time of last check split by kind.", ["resource"]);
        _storageLatency = factory.CreateHistogram("etcd_request_duration_seconds",
            "Etcd request latency in seconds for each operation and object type.", ["operation", "type"],
            new HistogramConfiguration { Buckets = LatencyBuckets });
        _inflight.WithLabels("readOnly").Set(0);
        _inflight.WithLabels("mutating").Set(0);
        DotNetStats.Register(Registry);
    }

    /// <summary>The registry every collector of this server lives in (add component metrics here).</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Counts objects per resource just before each scrape (upstream refreshes <c>apiserver_storage_objects</c>
    /// periodically): <paramref name="count"/> is asked for every resource in <paramref name="resources"/>.
    /// </summary>
    public void TrackStorageObjects(Func<IEnumerable<ResourceDescriptor>> resources, Func<string, CancellationToken, Task<long>> count)
    {
        Registry.AddBeforeCollectCallback(async ct =>
        {
            foreach (var group in resources().Where(d => d.Verbs.Contains("list")).GroupBy(d => d.StoragePrefix, StringComparer.Ordinal))
            {
                var d = group.First();
                try
                {
                    _storageObjects.WithLabels(GroupResource(d)).Set(await count(d.StoragePrefix, ct).ConfigureAwait(false));
                }
                catch (Exception e) when (e is Skiff.Storage.StorageException or InvalidOperationException or ObjectDisposedException or TimeoutException)
                {
                    // Storage unreachable: upstream reports -1.
                    _storageObjects.WithLabels(GroupResource(d)).Set(-1);
                }
            }
        });
    }

    /// <summary>Writes the exposition text (Prometheus text format 0.0.4) of every collector to <paramref name="ctx"/>'s response.</summary>
    public async Task WriteAsync(HttpContext ctx, CancellationToken ct)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ct).ConfigureAwait(false);
    }

    /// <summary>Starts timing a request; dispose the result once the response is complete.</summary>
    public IDisposable BeginRequest(HttpContext ctx, RequestInfo info)
    {
        var verb = MetricsVerb(ctx, info);
        var readOnly = verb is "GET" or "LIST" or "WATCH" or "HEAD";
        var longRunning = verb is "WATCH" or "CONNECT";
        var inflight = longRunning ? null : _inflight.WithLabels(readOnly ? "readOnly" : "mutating");
        return new RequestScope(this, ctx, info, verb, inflight);
    }

    /// <summary>Records <paramref name="count"/> watch events sent at once (a watch reports per batch, not per event: the label lookup is per call).</summary>
    public void WatchEventsSent(ResourceDescriptor resource, long count) => _watchEvents.WithLabels(resource.Group, resource.Version, resource.Resource).Inc(count);

    /// <summary>Records one storage request of <paramref name="operation"/> on <paramref name="type"/> (group-resource).</summary>
    public void ObserveStorage(string operation, string type, TimeSpan elapsed) =>
        _storageLatency.WithLabels(operation, type).Observe(elapsed.TotalSeconds);

    /// <summary>Upstream's <c>group-resource</c> spelling: <c>pods</c>, <c>deployments.apps</c>.</summary>
    public static string GroupResource(ResourceDescriptor d) => d.Group.Length == 0 ? d.Resource : $"{d.Resource}.{d.Group}";

    /// <summary>
    /// Upstream's metrics verb (<c>CleanVerb</c>): the HTTP method upper-cased, except LIST and WATCH for collection
    /// reads, APPLY for server-side apply, DELETECOLLECTION, and CONNECT for connect subresources.
    /// </summary>
    public static string MetricsVerb(HttpContext ctx, RequestInfo info)
    {
        var method = ctx.Request.Method.ToUpperInvariant();
        if (!info.IsResourceRequest)
        {
            return method;
        }

        return info.Verb switch
        {
            "list" => "LIST",
            "watch" => "WATCH",
            "deletecollection" => "DELETECOLLECTION",
            "patch" when ctx.Request.ContentType?.StartsWith("application/apply-patch", StringComparison.OrdinalIgnoreCase) == true => "APPLY",
            _ when info.Subresource is "exec" or "attach" or "portforward" or "proxy" => "CONNECT",
            _ => method,
        };
    }

    /// <summary>Upstream's <c>CleanScope</c>: resource (a named object or a create), namespace, cluster, or empty.</summary>
    public static string Scope(RequestInfo info) =>
        info.Name.Length > 0 || info.Verb == "create" ? "resource"
        : info.Namespace.Length > 0 ? "namespace"
        : info.IsResourceRequest ? "cluster"
        : "";

    /// <summary>One request being timed (see <see cref="BeginRequest"/>).</summary>
    private sealed class RequestScope : IDisposable
    {
        private readonly ApiServerMetrics _metrics;
        private readonly HttpContext _ctx;
        private readonly RequestInfo _info;
        private readonly string _verb;
        private readonly Gauge.Child? _inflight;
        private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

        public RequestScope(ApiServerMetrics metrics, HttpContext ctx, RequestInfo info, string verb, Gauge.Child? inflight)
        {
            _metrics = metrics;
            _ctx = ctx;
            _info = info;
            _verb = verb;
            _inflight = inflight;
            _inflight?.Inc();
        }

        /// <summary>Counts the request with its response code and records its latency.</summary>
        public void Dispose()
        {
            _inflight?.Dec();
            var dryRun = _ctx.Request.Query.ContainsKey("dryRun") ? "All" : "";
            var code = _ctx.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
            var scope = Scope(_info);
            _metrics._requests.WithLabels(_verb, dryRun, _info.Group, _info.Version, _info.Resource, _info.Subresource, scope, "apiserver", code).Inc();
            _metrics._latency.WithLabels(_verb, dryRun, _info.Group, _info.Version, _info.Resource, _info.Subresource, scope, "apiserver")
                .Observe(System.Diagnostics.Stopwatch.GetElapsedTime(_started).TotalSeconds);
        }
    }
}
