using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Skiff.Client.Config;

/// <summary>
/// Everything needed to talk to one API server (client-go <c>rest.Config</c>): address, credentials, trust, client-side
/// rate limit, retries and tracing. Build one with <see cref="ClientConfigLoader"/> or by hand.
/// </summary>
public sealed record ClientConfig
{
    /// <summary>The API server's base address, e.g. <c>https://127.0.0.1:6443</c>; may carry a path prefix.</summary>
    public required Uri Host { get; init; }

    /// <summary>A bearer token sent as <c>Authorization: Bearer</c>.</summary>
    public string? BearerToken { get; init; }

    /// <summary>A file holding the bearer token, re-read when it changes (service account tokens rotate); wins over <see cref="BearerToken"/>.</summary>
    public string? BearerTokenFile { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>The client certificate with its private key, for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// When set, called at every TLS handshake for the client certificate to present (a kubelet's rotating client
    /// certificate, upstream's dynamic <c>GetClientCertificate</c>); takes precedence over <see cref="ClientCertificate"/>.
    /// </summary>
    public Func<X509Certificate2?>? ClientCertificateProvider { get; init; }

    /// <summary>The CAs that may sign the server's certificate; when null the system trust store is used.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary>Accept any server certificate. For tests only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name to check the server certificate against, instead of the host name.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>The namespace of the selected context (or the pod's, in-cluster); null means "default".</summary>
    public string? Namespace { get; init; }

    /// <summary>Client-side request rate (client-go default 5); 0 or less disables client-side throttling.</summary>
    public double Qps { get; init; } = 5;

    /// <summary>Client-side burst (client-go default 10).</summary>
    public int Burst { get; init; } = 10;

    /// <summary>How many times a request answered 429 (or 5xx with Retry-After) is retried (client-go default 10).</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>Per-request timeout for non-watch requests; infinite by default.</summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>
    /// The wire format of the typed clients (default <see cref="WireFormat.Protobuf"/>, used only for built-in kinds;
    /// everything else falls back to JSON, as client-go does).
    /// </summary>
    public WireFormat ContentType { get; init; } = WireFormat.Protobuf;

    public string UserAgent { get; init; } = "skiff-client/v1.32.0";

    /// <summary>The clock for throttling and retry delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where request traces and client logs go.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Request tracing like <c>kubectl -v</c>: 6 logs method, URL, status and latency; 7 adds request headers; 8 adds
    /// response headers and bodies truncated to 10 KiB; 9 logs whole bodies and a curl command line.
    /// </summary>
    public int Verbosity { get; init; }

    /// <summary>
    /// An inner HTTP handler to use instead of a new <see cref="SocketsHttpHandler"/> (e.g. an in-process test server's).
    /// TLS settings are then the handler's business.
    /// </summary>
    public HttpMessageHandler? Transport { get; init; }

    /// <summary>
    /// Wraps the transport (client-go <c>rest.Config.WrapTransport</c>): called once with the TLS-level handler; the
    /// handler it returns sits under authentication and tracing. For fault injection, metrics or proxies.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapTransport { get; init; }
}
