using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

/// <summary>The request-header authenticator as upstream's headerrequest: CA, allowed names, headers, clearing.</summary>
public sealed class RequestHeaderAuthenticatorTests
{
    private static readonly (X509Certificate2 Ca, ECDsa Key) FrontProxyCa = Ca("CN=front-proxy-ca");

    [Fact]
    public void AllowedProxy_StatesUserGroupsAndExtra_AndTheHeadersAreRemoved()
    {
        var authenticator = new RequestHeaderAuthenticator(RequestHeaderSettings.FrontProxyDefaults, FrontProxyCa.Ca);
        var request = Request(("X-Remote-User", ["alice"]), ("X-Remote-Group", ["devs", "ops"]), ("X-Remote-Extra-Acme.com%2Fproject", ["p1", "p2"]), ("Accept", ["application/json"]));

        var user = authenticator.Authenticate(request, Issue(FrontProxyCa, "CN=front-proxy-client"));

        Assert.NotNull(user);
        Assert.Equal("alice", user.Name);
        Assert.Equal(["devs", "ops", "system:authenticated"], user.Groups);
        Assert.Equal(["p1", "p2"], user.Extra["acme.com/project"]);
        Assert.False(request.Headers.ContainsKey("X-Remote-User"));
        Assert.False(request.Headers.ContainsKey("X-Remote-Group"));
        Assert.False(request.Headers.ContainsKey("X-Remote-Extra-Acme.com%2Fproject"));
        Assert.True(request.Headers.ContainsKey("Accept"));
    }

    [Fact]
    public void CertificateWithAnotherCn_OrFromAnotherCa_OrWithoutUser_IsNotAProxy()
    {
        var authenticator = new RequestHeaderAuthenticator(RequestHeaderSettings.FrontProxyDefaults, FrontProxyCa.Ca);
        var other = Ca("CN=other-ca");
        Assert.Null(authenticator.Authenticate(Request(("X-Remote-User", ["alice"])), Issue(FrontProxyCa, "CN=intruder")));
        Assert.Null(authenticator.Authenticate(Request(("X-Remote-User", ["alice"])), Issue(other, "CN=front-proxy-client")));
        Assert.Null(authenticator.Authenticate(Request(("X-Remote-Group", ["devs"])), Issue(FrontProxyCa, "CN=front-proxy-client")));
        Assert.Null(authenticator.Authenticate(Request(("X-Remote-User", ["alice"])), null));
    }

    [Fact]
    public void EmptyAllowedNames_AcceptsAnyCnOfTheCa_AndCustomHeadersAreRead()
    {
        var settings = new RequestHeaderSettings { AllowedNames = [], UsernameHeaders = ["X-Proxy-User", "X-Remote-User"], GroupHeaders = ["X-Proxy-Group"] };
        var authenticator = new RequestHeaderAuthenticator(settings, FrontProxyCa.Ca);
        var user = authenticator.Authenticate(Request(("X-Remote-User", ["second"]), ("X-Proxy-Group", ["g"])), Issue(FrontProxyCa, "CN=anything"));
        Assert.NotNull(user);
        Assert.Equal("second", user.Name);
        Assert.Equal(["g", "system:authenticated"], user.Groups);
    }

    private static HttpRequest Request(params (string Name, string[] Values)[] headers)
    {
        var ctx = new DefaultHttpContext();
        foreach (var (name, values) in headers)
        {
            ctx.Request.Headers[name] = values;
        }

        return ctx.Request;
    }

    private static (X509Certificate2 Ca, ECDsa Key) Ca(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)), key);
    }

    private static X509Certificate2 Issue((X509Certificate2 Ca, ECDsa Key) ca, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(ca.Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(ca.Key), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), [7, 7, 7]);
        return cert.CopyWithPrivateKey(key);
    }
}
