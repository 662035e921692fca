using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.Security;

/// <summary>
/// Authenticates a request: a client certificate signed by the cluster CA or one of <paramref name="clientCas"/>
/// (CN = user, O = groups), or a bearer token from the token file or, failing that, <paramref name="bearer"/> (the
/// service-account JWT authenticator). First of all, as upstream's union puts it first, a proxy's certificate with the
/// user in request headers (<paramref name="requestHeader"/>). Returns null for anonymous requests; throws nothing. A
/// client certificate's chain is verified once per certificate object — Kestrel hands every request of a TLS
/// connection the same one — and the answer reused while the certificate is within its validity period, so a
/// kept-alive connection does not pay a chain build per request.
/// </summary>
public sealed class Authenticator(ClusterCertificates certificates, TokenFile tokens, X509Certificate2Collection? clientCas = null, ITokenAuthenticator? bearer = null,
    RequestHeaderAuthenticator? requestHeader = null)
{
    private readonly ConditionalWeakTable<X509Certificate2, CertificateVerdict> _verified = [];

    /// <summary>The user of <paramref name="ctx"/>, or null when it carries no valid credentials.</summary>
    public async Task<UserInfo?> AuthenticateAsync(HttpContext ctx, CancellationToken ct)
    {
        if (requestHeader is not null)
        {
            var proxyCert = ctx.Connection.ClientCertificate ?? await ctx.Connection.GetClientCertificateAsync(ct).ConfigureAwait(false);
            if (requestHeader.Authenticate(ctx.Request, proxyCert) is { } proxied)
            {
                return proxied;
            }
        }

        var auth = ctx.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = auth[7..].Trim();
            var user = tokens.Find(token) ?? (bearer is null ? null : await bearer.AuthenticateTokenAsync(token, ct).ConfigureAwait(false));
            return user is null ? null : user with { Groups = [.. user.Groups, UserInfo.AuthenticatedGroup] };
        }

        var cert = ctx.Connection.ClientCertificate ?? await ctx.Connection.GetClientCertificateAsync(ct).ConfigureAwait(false);
        return cert is null ? null : FromTrustedCertificate(cert);
    }

    private UserInfo? FromTrustedCertificate(X509Certificate2 cert)
    {
        var now = DateTime.Now;
        if (now < cert.NotBefore || now > cert.NotAfter)
        {
            return null;
        }

        var verdict = _verified.GetValue(cert, c => new CertificateVerdict(certificates.IsTrustedClient(c, clientCas) ? FromCertificate(c) : null));
        return verdict.User;
    }

    private sealed record CertificateVerdict(UserInfo? User);

    /// <summary>CN → user name, every O → a group (plus system:authenticated).</summary>
    public static UserInfo FromCertificate(X509Certificate2 cert)
    {
        string? cn = null;
        var groups = new List<string>();
        foreach (var rdn in cert.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var oid = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue() ?? "";
            if (oid == "2.5.4.3")
            {
                cn = value;
            }
            else if (oid == "2.5.4.10")
            {
                groups.Add(value);
            }
        }

        groups.Add(UserInfo.AuthenticatedGroup);
        return new UserInfo(cn ?? "", null, groups);
    }
}
