using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

/// <summary><c>--client-ca-file</c>: client certificates signed by a user's own CA authenticate, beside the cluster CA's.</summary>
public sealed class ClientCaFileTests
{
    [Fact]
    public async Task ClientCas_CertificateFromThatCa_AuthenticatesWithItsNameAndGroups_RealKubectl()
    {
        using var userCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var userCa = SelfSignedCa("CN=users-ca", userCaKey);
        var dir = Directory.CreateTempSubdirectory("skiff-client-ca-");
        try
        {
            var bundlePath = Path.Combine(dir.FullName, "client-ca.crt");
            await File.WriteAllTextAsync(bundlePath, userCa.ExportCertificatePem() + "\n");
            var bundle = ClusterCertificates.LoadClientCaBundle(bundlePath);
            await using var cp = await TestControlPlane.StartAsync(configure: o => o with { ClientCas = bundle });

            var (certPem, keyPem) = Issue(userCa, "CN=alice, O=devs");
            var kubeconfig = Path.Combine(dir.FullName, "alice.kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, KubeconfigWriter.Render(cp.Host.Url, cp.Host.Certificates.CaPem, certPem, keyPem, userName: "alice"));

            var (exit, stdout, stderr) = await new Kubectl(kubeconfig).RunAsync(["auth", "whoami", "-o", "json"]);

            Assert.True(exit == 0, stderr);
            var info = JsonNode.Parse(stdout)!["status"]!["userInfo"]!;
            Assert.Equal("alice", info["username"]!.GetValue<string>());
            Assert.Equal(["devs", "system:authenticated"], info["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task NoClientCas_CertificateFromAnotherCa_Is401()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = SelfSignedCa("CN=other-ca", otherKey);
        var dir = Directory.CreateTempSubdirectory("skiff-client-ca-");
        try
        {
            await using var cp = await TestControlPlane.StartAsync();
            var (certPem, keyPem) = Issue(other, "CN=mallory");
            var kubeconfig = Path.Combine(dir.FullName, "mallory.kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, KubeconfigWriter.Render(cp.Host.Url, cp.Host.Certificates.CaPem, certPem, keyPem, userName: "mallory"));

            var (exit, stdout, stderr) = await new Kubectl(kubeconfig).RunAsync(["get", "namespaces"]);

            Assert.NotEqual(0, exit);
            Assert.Contains("You must be logged in to the server", stdout + stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadClientCaBundle_NotPem_IsInvalidData()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a certificate\n");
            var e = Assert.Throws<InvalidDataException>(() => ClusterCertificates.LoadClientCaBundle(path));
            Assert.Contains("no certificate found", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static X509Certificate2 SelfSignedCa(string subject, ECDsa key)
    {
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static (string Cert, string Key) Issue(X509Certificate2 ca, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = req.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return (cert.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
