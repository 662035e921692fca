using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Skiff.Client.Config;

namespace Skiff.Client.Rest;

/// <summary>
/// The TLS side of a <see cref="ClientConfig"/> (client-go's <c>transport.TLSConfigFor</c>): the client certificate
/// (or its provider, for rotation), the server name to verify, and the server check — anything under
/// <c>insecure-skip-tls-verify</c>, else a chain to one of the configured certificate authorities (the system roots
/// when none are configured). The REST client's handler uses it, and so can any raw <see cref="SocketsHttpHandler"/>
/// that must connect as a kubeconfig says.
/// </summary>
public static class ClientTls
{
    /// <summary>Fresh client options for <paramref name="config"/>.</summary>
    public static SslClientAuthenticationOptions Options(ClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
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
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ChainsTo(certificate, errors, cas);
        }

        return ssl;
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="roots"/>, with no error but an untrusted
    /// chain in <paramref name="errors"/> (a wrong name or a missing certificate still fails).
    /// </summary>
    public static bool ChainsTo(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots) =>
        (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && ChainsTo(certificate, roots);

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="roots"/>, whatever names it carries (for
    /// callers that reach a server by an address its certificate need not name, as tests and benches do).
    /// </summary>
    public static bool ChainsTo(X509Certificate? certificate, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
