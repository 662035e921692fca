using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Xunit;

namespace Skiff.Client.Tests.Rest;

/// <summary><see cref="ClientTls"/>: a config's client certificate, server name and server check as TLS options.</summary>
public sealed class ClientTlsTests
{
    private static readonly TestCertificates Certs = new();

    private static ClientConfig Config() => new() { Host = new Uri("https://127.0.0.1:6443") };

    [Fact]
    public void Options_CertificateAuthorities_AcceptOnlyAChainToThem()
    {
        var ssl = ClientTls.Options(Config() with { CertificateAuthorities = [Certs.Ca] });
        var check = ssl.RemoteCertificateValidationCallback!;

        Assert.True(check(this, Certs.Server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(check(this, new TestCertificates().Server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(check(this, Certs.Server, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(check(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Options_InsecureSkipTlsVerify_AcceptsAnyServer()
    {
        var ssl = ClientTls.Options(Config() with { InsecureSkipTlsVerify = true, CertificateAuthorities = [Certs.Ca] });

        Assert.True(ssl.RemoteCertificateValidationCallback!(this, new TestCertificates().Server, null, SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public void Options_NoAuthorities_LeaveTheSystemCheck()
    {
        Assert.Null(ClientTls.Options(Config()).RemoteCertificateValidationCallback);
    }

    [Fact]
    public void Options_ClientCertificateAndServerName_AreOffered()
    {
        var ssl = ClientTls.Options(Config() with { ClientCertificate = Certs.Client, TlsServerName = "kubernetes" });

        Assert.Same(Certs.Client, Assert.Single(ssl.ClientCertificates!.Cast<X509Certificate>()));
        Assert.Equal("kubernetes", ssl.TargetHost);
        Assert.Null(ssl.LocalCertificateSelectionCallback);
    }

    [Fact]
    public void Options_ClientCertificateProvider_IsAskedAtEachHandshake()
    {
        var asked = 0;
        var ssl = ClientTls.Options(Config() with { ClientCertificate = Certs.Server, ClientCertificateProvider = () => { asked++; return Certs.Client; } });

        Assert.Null(ssl.ClientCertificates);
        Assert.Same(Certs.Client, ssl.LocalCertificateSelectionCallback!(this, "", [], null, []));
        Assert.Same(Certs.Client, ssl.LocalCertificateSelectionCallback!(this, "", [], null, []));
        Assert.Equal(2, asked);
    }

    [Fact]
    public void ChainsTo_ChecksOnlyTheChain()
    {
        Assert.True(ClientTls.ChainsTo(Certs.Server, [Certs.Ca]));
        Assert.True(ClientTls.ChainsTo(Certs.Client, [Certs.Ca]));
        Assert.False(ClientTls.ChainsTo(Certs.Server, [new TestCertificates().Ca]));
        Assert.False(ClientTls.ChainsTo(null, [Certs.Ca]));
    }
}
