using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.Security;

/// <summary>
/// Upstream's request-header authenticator (<c>k8s.io/apiserver/pkg/authentication/request/headerrequest</c>): when
/// the client certificate chains to one of the request-header CAs and its CN is allowed, the user is the first
/// non-empty username header, the groups every value of the group headers and the extra every header under an extra
/// prefix (key lower-cased and percent-decoded). The headers are removed from the request once read, so nothing
/// behind the authenticator sees them. Returns null when the certificate is not a proxy's or no user is stated.
/// </summary>
public sealed class RequestHeaderAuthenticator
{
    private readonly RequestHeaderSettings _settings;
    private readonly X509Certificate2Collection _cas;

    /// <summary>Creates the authenticator for <paramref name="settings"/>, with <paramref name="frontProxyCa"/> when the settings name no CA.</summary>
    public RequestHeaderAuthenticator(RequestHeaderSettings settings, X509Certificate2 frontProxyCa)
    {
        _settings = settings;
        _cas = settings.ClientCas is { Count: > 0 } cas ? cas : [frontProxyCa];
    }

    /// <summary>The CAs trusted for proxies' client certificates.</summary>
    public X509Certificate2Collection ClientCas => _cas;

    /// <summary>The settings.</summary>
    public RequestHeaderSettings Settings => _settings;

    /// <summary>The user the proxy states for <paramref name="request"/>, or null.</summary>
    public UserInfo? Authenticate(HttpRequest request, X509Certificate2? certificate)
    {
        if (certificate is null || !IsProxy(certificate))
        {
            return null;
        }

        var name = _settings.UsernameHeaders.Select(h => request.Headers[h].FirstOrDefault(v => !string.IsNullOrEmpty(v))).FirstOrDefault(v => v is not null);
        if (name is null)
        {
            return null;
        }

        var groups = new List<string>();
        foreach (var header in _settings.GroupHeaders)
        {
            groups.AddRange(request.Headers[header].Where(v => v is not null).Select(v => v!));
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (header, values) in request.Headers)
        {
            foreach (var prefix in _settings.ExtraHeaderPrefixes)
            {
                if (header.Length > prefix.Length && header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    var key = Uri.UnescapeDataString(header[prefix.Length..]).ToLowerInvariant();
                    extra[key] = [.. extra.GetValueOrDefault(key) ?? [], .. values.Where(v => v is not null).Select(v => v!)];
                }
            }
        }

        Clear(request);
        if (!groups.Contains(UserInfo.AuthenticatedGroup, StringComparer.Ordinal))
        {
            groups.Add(UserInfo.AuthenticatedGroup);
        }

        return new UserInfo(name, null, groups) { Extra = extra };
    }

    /// <summary>True when <paramref name="certificate"/> chains to a request-header CA for client authentication and its CN is allowed.</summary>
    public bool IsProxy(X509Certificate2 certificate)
    {
        // Cheap first: most callers' certificates are issued by the cluster CA, not a request-header CA.
        var issuer = certificate.IssuerName.RawData;
        if (!_cas.Any(ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(issuer)))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        if (!chain.Build(certificate))
        {
            return false;
        }

        return _settings.AllowedNames.Count == 0 || _settings.AllowedNames.Contains(certificate.GetNameInfo(X509NameType.SimpleName, false), StringComparer.Ordinal);
    }

    private void Clear(HttpRequest request)
    {
        foreach (var header in _settings.UsernameHeaders.Concat(_settings.GroupHeaders))
        {
            request.Headers.Remove(header);
        }

        foreach (var header in request.Headers.Keys.ToList())
        {
            if (_settings.ExtraHeaderPrefixes.Any(p => header.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                request.Headers.Remove(header);
            }
        }
    }
}
