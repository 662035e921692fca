using Skiff.Client.Config;
using Skiff.Client.Flowcontrol;

namespace Skiff.Client.Rest;

/// <summary>
/// The low-level REST client (client-go <c>rest.RESTClient</c>): one HTTP connection pool per config, a client-side
/// token bucket (<see cref="ClientConfig.Qps"/>/<see cref="ClientConfig.Burst"/>) that every request waits on, and a
/// fluent <see cref="RestRequest"/> per call. Thread-safe; share one instance per server.
/// </summary>
public sealed class RestClient : IDisposable
{
    private readonly bool _ownsHttp = true;

    public RestClient(ClientConfig config)
    {
        Config = config;
        Http = new HttpClient(HttpTransport.Create(config), disposeHandler: true)
        {
            BaseAddress = config.Host,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        Http.DefaultRequestHeaders.UserAgent.ParseAdd(config.UserAgent);
        Throttle = config.Qps > 0 ? new TokenBucket(config.Qps, Math.Max(1, config.Burst), config.TimeProvider) : null;
    }

    /// <summary>
    /// A client for another identity over <paramref name="shared"/>'s connections and rate limit: every request carries
    /// <c>Authorization: Bearer <paramref name="bearerToken"/></c>, which the API server checks before the connection's
    /// client certificate. For many identities in one process (hollow nodes, each <c>system:node:NAME</c>) at a few
    /// hundred bytes each instead of a TLS connection each. Disposing it leaves <paramref name="shared"/>'s connections open.
    /// </summary>
    public RestClient(RestClient shared, string bearerToken)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentException.ThrowIfNullOrEmpty(bearerToken);
        Config = shared.Config with { BearerToken = bearerToken, BearerTokenFile = null };
        Http = shared.Http;
        Throttle = shared.Throttle;
        Authorization = "Bearer " + bearerToken;
        _ownsHttp = false;
    }

    public ClientConfig Config { get; }

    /// <summary>The Authorization header every request carries (a shared client's bearer token), or null.</summary>
    internal string? Authorization { get; }

    internal HttpClient Http { get; }

    /// <summary>
    /// The HTTP version every request asks for: HTTP/2, negotiated over TLS by ALPN with a fallback to HTTP/1.1 (an
    /// <c>http://</c> server or one without h2 gets HTTP/1.1), as client-go's transport does; HTTP/1.1 when the
    /// <c>DISABLE_HTTP2</c> environment variable is set (client-go's <c>utilnet.SetTransportDefaults</c>). Watches share
    /// connections: a connection whose streams are all in use gets a sibling (<c>EnableMultipleHttp2Connections</c>).
    /// </summary>
    internal Version RequestVersion { get; } =
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISABLE_HTTP2")) ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11;

    internal TokenBucket? Throttle { get; }

    public RestRequest Get() => new(this, HttpMethod.Get);

    public RestRequest Post() => new(this, HttpMethod.Post);

    public RestRequest Put() => new(this, HttpMethod.Put);

    public RestRequest Delete() => new(this, HttpMethod.Delete);

    public RestRequest Patch(PatchType type) => new RestRequest(this, HttpMethod.Patch).ContentType(type switch
    {
        PatchType.Json => "application/json-patch+json",
        PatchType.Merge => "application/merge-patch+json",
        PatchType.StrategicMerge => "application/strategic-merge-patch+json",
        PatchType.Apply => "application/apply-patch+yaml",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    });

    public RestRequest Verb(HttpMethod method) => new(this, method);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            Http.Dispose();
        }
    }
}
