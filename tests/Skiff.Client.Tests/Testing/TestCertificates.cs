using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.Client.Tests.Testing;

/// <summary>A throw-away CA with a server certificate for localhost/127.0.0.1 and a client certificate, all PEM-exportable.</summary>
public sealed class TestCertificates
{
    public TestCertificates(string clientName = "alice")
    {
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest("CN=skiff-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        Ca = caReq.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        Server = Issue("CN=localhost", serverAuth: true, now);
        Client = Issue($"CN={clientName}, O=system:masters", serverAuth: false, now);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public static string CertPem(X509Certificate2 c) => c.ExportCertificatePem();

    public static string KeyPem(X509Certificate2 c) => c.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();

    private X509Certificate2 Issue(string subject, bool serverAuth, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        using var cert = req.Create(Ca, now.AddHours(-1), now.AddHours(12), serial);
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
