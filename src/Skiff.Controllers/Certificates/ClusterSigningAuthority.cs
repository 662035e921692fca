using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Skiff.Api.Certificates;

namespace Skiff.Controllers.Certificates;

/// <summary>
/// The CA the csrsigning controller signs with (upstream <c>--cluster-signing-cert-file</c> and
/// <c>--cluster-signing-key-file</c>) and upstream's <c>PermissiveSigningPolicy</c>: the request's subject, public key
/// and subject alternative names, the requested usages, no other extension, not a CA; valid from five minutes ago
/// for the TTL (less the backdate unless the TTL is under eight hours), never past the CA's own expiry.
/// </summary>
public sealed class ClusterSigningAuthority : IDisposable
{
    /// <summary>Upstream's backdate of NotBefore.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>Below this TTL a certificate is short-lived and NotAfter is not backdated.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromHours(8);

    private static readonly Dictionary<string, X509KeyUsageFlags> KeyUsageMap = new(StringComparer.Ordinal)
    {
        ["signing"] = X509KeyUsageFlags.DigitalSignature,
        ["digital signature"] = X509KeyUsageFlags.DigitalSignature,
        ["content commitment"] = X509KeyUsageFlags.NonRepudiation,
        ["key encipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["key agreement"] = X509KeyUsageFlags.KeyAgreement,
        ["data encipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["cert sign"] = X509KeyUsageFlags.KeyCertSign,
        ["crl sign"] = X509KeyUsageFlags.CrlSign,
        ["encipher only"] = X509KeyUsageFlags.EncipherOnly,
        ["decipher only"] = X509KeyUsageFlags.DecipherOnly,
    };

    private static readonly Dictionary<string, string> ExtendedKeyUsageMap = new(StringComparer.Ordinal)
    {
        ["any"] = "2.5.29.37.0",
        ["server auth"] = "1.3.6.1.5.5.7.3.1",
        ["client auth"] = "1.3.6.1.5.5.7.3.2",
        ["code signing"] = "1.3.6.1.5.5.7.3.3",
        ["email protection"] = "1.3.6.1.5.5.7.3.4",
        ["s/mime"] = "1.3.6.1.5.5.7.3.4",
        ["ipsec end system"] = "1.3.6.1.5.5.7.3.5",
        ["ipsec tunnel"] = "1.3.6.1.5.5.7.3.6",
        ["ipsec user"] = "1.3.6.1.5.5.7.3.7",
        ["timestamping"] = "1.3.6.1.5.5.7.3.8",
        ["ocsp signing"] = "1.3.6.1.5.5.7.3.9",
        ["microsoft sgc"] = "1.3.6.1.4.1.311.10.3.3",
        ["netscape sgc"] = "2.16.840.1.113730.4.1",
    };

    private readonly X509Certificate2 _ca;

    private ClusterSigningAuthority(X509Certificate2 ca, TimeSpan maximumDuration)
    {
        _ca = ca;
        MaximumDuration = maximumDuration;
    }

    /// <summary>The longest validity issued (upstream <c>--cluster-signing-duration</c>, default one year).</summary>
    public TimeSpan MaximumDuration { get; }

    /// <summary>The CA certificate (public part).</summary>
    public X509Certificate2 Certificate => _ca;

    /// <summary>Loads the CA from PEM text (certificate, then its RSA or ECDSA private key).</summary>
    /// <exception cref="CryptographicException">The PEM does not hold a certificate and its matching key.</exception>
    public static ClusterSigningAuthority FromPem(string certificatePem, string keyPem, TimeSpan maximumDuration)
    {
        using var loaded = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        return new ClusterSigningAuthority(X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null), maximumDuration);
    }

    /// <summary>Signs <paramref name="request"/> for <paramref name="usages"/>, valid for <paramref name="ttl"/> from <paramref name="now"/>.</summary>
    /// <returns>The certificate as PEM.</returns>
    /// <exception cref="InvalidOperationException">The CA has expired (upstream's refusal texts).</exception>
    public string Sign(ParsedCertificateRequest request, IEnumerable<string> usages, TimeSpan ttl, DateTimeOffset now)
    {
        var notBefore = now - Backdate;
        var notAfter = ttl < Short ? now + ttl : now + ttl - Backdate;
        var caNotAfter = new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        if (notAfter >= caNotAfter)
        {
            notAfter = caNotAfter;
        }

        if (notBefore >= caNotAfter)
        {
            throw new InvalidOperationException($"the signer has expired: NotAfter={caNotAfter:u}");
        }

        if (now >= caNotAfter)
        {
            throw new InvalidOperationException($"refusing to sign a certificate that expired in the past: NotAfter={caNotAfter:u}");
        }

        var template = new CertificateRequest(request.Request.SubjectName, request.Request.PublicKey, HashAlgorithmName.SHA256);
        template.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var keyUsage = X509KeyUsageFlags.None;
        var eku = new OidCollection();
        foreach (var u in usages.Distinct(StringComparer.Ordinal))
        {
            if (KeyUsageMap.TryGetValue(u, out var flag))
            {
                keyUsage |= flag;
            }
            else if (ExtendedKeyUsageMap.TryGetValue(u, out var oid))
            {
                eku.Add(new Oid(oid));
            }
        }

        if (keyUsage != X509KeyUsageFlags.None)
        {
            template.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        }

        if (eku.Count > 0)
        {
            template.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(eku, false));
        }

        if (request.SubjectAlternativeNames is { } san)
        {
            template.CertificateExtensions.Add(new X509Extension(san.Oid!, san.RawData, false));
        }

        if (_ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault() is { } ski)
        {
            template.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        }
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        using var cert = template.Create(_ca, notBefore, notAfter, serial);
        return cert.ExportCertificatePem() + "\n";
    }

    /// <inheritdoc/>
    public void Dispose() => _ca.Dispose();
}
