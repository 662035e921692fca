using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// One HTTP client per backend TLS configuration (upstream <c>remote.BuildTransportConfig</c>): the aggregator presents
/// its front-proxy client certificate and verifies the backend's certificate against the APIService's caBundle (the
/// system roots when it has none) for the name <c>service.namespace.svc</c>, unless insecureSkipTLSVerify.
/// </summary>
internal sealed class BackendTransports(Func<X509Certificate2> clientCertificate) : IDisposable
{
    private readonly ConcurrentDictionary<(string Ca, bool Insecure, string ServerName), HttpClient> _clients = new();

    /// <summary>The client for <paramref name="service"/>'s TLS settings.</summary>
    public HttpClient For(ApiServiceInfo service) =>
        _clients.GetOrAdd((Convert.ToBase64String(service.CaBundle), service.InsecureSkipTlsVerify, service.ServerName ?? ""), key => Create(service, key.ServerName));

    /// <summary>Whether <paramref name="certificate"/> is acceptable for <paramref name="service"/>.</summary>
    public static bool Verify(ApiServiceInfo service, X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (service.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (certificate is null)
        {
            return false;
        }

        var cas = service.CaCertificates();
        if (cas.Count == 0)
        {
            // System roots: only the host name may differ (it is checked against the service name below).
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None && certificate.MatchesHostname(service.ServerName ?? "");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(e => e.Certificate).ToArray());
        }

        return chain.Build(certificate) && certificate.MatchesHostname(service.ServerName ?? "");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }

    private HttpClient Create(ApiServiceInfo service, string serverName)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ClientCertificates = [clientCertificate()],
                RemoteCertificateValidationCallback = (_, cert, chain, errors) => Verify(service, cert as X509Certificate2, chain, errors),
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
