using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.Examples.AggregatedApiServer;

/// <summary>
/// A self-made serving identity for the sample: a CA (its PEM goes into the APIService's <c>caBundle</c>) and a
/// serving certificate it signs for <c>SERVICE.NAMESPACE.svc</c> (the name the aggregator verifies), localhost and
/// 127.0.0.1.
/// </summary>
public sealed class ServingCertificate : IDisposable
{
    private ServingCertificate(X509Certificate2 certificate, string caPem)
    {
        Certificate = certificate;
        CaPem = caPem;
    }

    /// <summary>The serving certificate with its key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM (the APIService's caBundle, base64 of these bytes).</summary>
    public string CaPem { get; }

    /// <summary>Creates a CA and a serving certificate for <paramref name="serviceName"/> in <paramref name="serviceNamespace"/>.</summary>
    public static ServingCertificate Create(string serviceName, string serviceNamespace)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=wardle-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serviceName}.{serviceNamespace}.svc", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName($"{serviceName}.{serviceNamespace}.svc");
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMonths(6), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new ServingCertificate(certificate, ca.ExportCertificatePem() + "\n");
    }

    /// <inheritdoc/>
    public void Dispose() => Certificate.Dispose();
}
