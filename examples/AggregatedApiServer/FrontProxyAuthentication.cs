using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Skiff.Client.Typed;

namespace Skiff.Examples.AggregatedApiServer;

/// <summary>
/// How an extension API server authenticates the aggregator and the user it passes on, read from the
/// <c>kube-system/extension-apiserver-authentication</c> ConfigMap (as upstream's <c>RequestHeaderAuthenticationOptions</c>
/// do): the caller's client certificate must chain to <c>requestheader-client-ca-file</c> and its CN must be one of
/// <c>requestheader-allowed-names</c>; the user is then in the username, group and extra headers.
/// </summary>
public sealed record FrontProxyAuthentication
{
    /// <summary>The CAs of the authenticating proxy's client certificate.</summary>
    public required X509Certificate2Collection ClientCas { get; init; }

    /// <summary>The allowed proxy CNs; empty = any.</summary>
    public IReadOnlyList<string> AllowedNames { get; init; } = [];

    /// <summary>The username headers.</summary>
    public IReadOnlyList<string> UsernameHeaders { get; init; } = ["X-Remote-User"];

    /// <summary>The group headers.</summary>
    public IReadOnlyList<string> GroupHeaders { get; init; } = ["X-Remote-Group"];

    /// <summary>The extra header prefixes.</summary>
    public IReadOnlyList<string> ExtraHeaderPrefixes { get; init; } = ["X-Remote-Extra-"];

    /// <summary>Reads the ConfigMap through <paramref name="clientset"/>.</summary>
    public static async Task<FrontProxyAuthentication> LoadAsync(Clientset clientset, CancellationToken ct)
    {
        var cm = await clientset.CoreV1().ConfigMaps("kube-system").GetAsync("extension-apiserver-authentication", ct: ct).ConfigureAwait(false);
        return FromData(cm.Data ?? new Dictionary<string, string>());
    }

    /// <summary>Reads the ConfigMap's data.</summary>
    public static FrontProxyAuthentication FromData(IDictionary<string, string> data)
    {
        var cas = new X509Certificate2Collection();
        if (data.TryGetValue("requestheader-client-ca-file", out var pem))
        {
            cas.ImportFromPem(pem);
        }

        IReadOnlyList<string> List(string key, IReadOnlyList<string> fallback) =>
            data.TryGetValue(key, out var json) ? JsonSerializer.Deserialize<string[]>(json) ?? [] : fallback;
        return new FrontProxyAuthentication
        {
            ClientCas = cas,
            AllowedNames = List("requestheader-allowed-names", []),
            UsernameHeaders = List("requestheader-username-headers", ["X-Remote-User"]),
            GroupHeaders = List("requestheader-group-headers", ["X-Remote-Group"]),
            ExtraHeaderPrefixes = List("requestheader-extra-headers-prefix", ["X-Remote-Extra-"]),
        };
    }

    /// <summary>The user the proxy states (name and groups), or null when the caller is not a trusted proxy or states no user.</summary>
    public (string Name, IReadOnlyList<string> Groups)? Authenticate(X509Certificate2? certificate, IHeaderDictionary headers)
    {
        if (certificate is null || ClientCas.Count == 0)
        {
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(certificate))
        {
            return null;
        }

        var cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
        if (AllowedNames.Count > 0 && !AllowedNames.Contains(cn, StringComparer.Ordinal))
        {
            return null;
        }

        var name = UsernameHeaders.Select(h => headers[h].FirstOrDefault(v => !string.IsNullOrEmpty(v))).FirstOrDefault(v => v is not null);
        return name is null ? null : (name, GroupHeaders.SelectMany(h => headers[h].Where(v => v is not null).Select(v => v!)).ToList());
    }
}
