using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

/// <summary>Client-certificate authentication, whose chain verdict is kept per certificate object (one per TLS connection).</summary>
public sealed class AuthenticatorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("skiff-authn-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static HttpContext With(X509Certificate2 cert)
    {
        var ctx = new DefaultHttpContext();
        ctx.Connection.ClientCertificate = cert;
        return ctx;
    }

    [Fact]
    public async Task TrustedCertificate_IsTheUser_OnEveryRequestOfItsConnection_UntrustedIsAnonymous()
    {
        var pki = ClusterCertificates.LoadOrCreate(_dir.FullName);
        var authenticator = new Authenticator(pki, TokenFile.Empty);
        var (certPem, keyPem) = ClusterCertificates.IssueClientCertificate(_dir.FullName, "alice", ["devs"]);
        using var cert = X509Certificate2.CreateFromPem(certPem, keyPem);

        var first = await authenticator.AuthenticateAsync(With(cert), CancellationToken.None);
        var second = await authenticator.AuthenticateAsync(With(cert), CancellationToken.None);
        Assert.Equal("alice", first?.Name);
        Assert.Equal(["devs", "system:authenticated"], first!.Groups);
        Assert.Same(first, second);

        // Signed by another CA: anonymous, on the first request and on later ones.
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=mallory,O=system:masters", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Null(await authenticator.AuthenticateAsync(With(selfSigned), CancellationToken.None));
        Assert.Null(await authenticator.AuthenticateAsync(With(selfSigned), CancellationToken.None));
    }
}
