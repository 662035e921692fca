using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Config;

namespace Skiff.Client.Rest;

/// <summary>Builds the handler chain for a <see cref="ClientConfig"/>: TLS → authentication → tracing.</summary>
internal static class HttpTransport
{
    public static HttpMessageHandler Create(ClientConfig config)
    {
        HttpMessageHandler handler = config.Transport ?? CreateSocketsHandler(config);
        if (config.WrapTransport is { } wrap)
        {
            handler = wrap(handler);
        }

        handler = new AuthenticationHandler(config, handler);
        handler = new RequestMetricsHandler(handler);
        if (config.Verbosity >= 6)
        {
            var logger = (config.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Client.Rest");
            handler = new RequestTracingHandler(logger, config.Verbosity, handler);
        }

        return handler;
    }

    private static SocketsHttpHandler CreateSocketsHandler(ClientConfig config) => new()
    {
        SslOptions = ClientTls.Options(config),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
    };
}
