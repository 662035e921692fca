using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
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

    private static SocketsHttpHandler CreateSocketsHandler(ClientConfig config)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (config.ClientCertificateProvider is { } provider)
        {
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => provider()!;
        }
        else if (config.ClientCertificate is { } cert)
        {
            ssl.ClientCertificates = new X509CertificateCollection { cert };
        }

        if (!string.IsNullOrEmpty(config.TlsServerName))
        {
            ssl.TargetHost = config.TlsServerName;
        }

        if (config.InsecureSkipTlsVerify)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.CertificateAuthorities is { Count: > 0 } cas)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(cas);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return new SocketsHttpHandler
        {
            SslOptions = ssl,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
    }
}
