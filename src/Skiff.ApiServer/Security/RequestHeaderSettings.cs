using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Security;

/// <summary>
/// Request-header authentication (upstream <c>--requestheader-*</c>): a client certificate signed by one of
/// <see cref="ClientCas"/> (the front-proxy CA when null) whose CN is one of <see cref="AllowedNames"/> (any CN when
/// empty) may state the user in headers. This is how an authenticating proxy, the aggregator included, passes on the
/// user it authenticated.
/// </summary>
public sealed record RequestHeaderSettings
{
    /// <summary>The CAs that sign proxies' client certificates (<c>--requestheader-client-ca-file</c>); null = the cluster's front-proxy CA.</summary>
    public X509Certificate2Collection? ClientCas { get; init; }

    /// <summary>The CNs allowed to state a user (<c>--requestheader-allowed-names</c>); empty = every certificate the CAs sign.</summary>
    public IReadOnlyList<string> AllowedNames { get; init; } = ["front-proxy-client"];

    /// <summary>Headers holding the user name, first non-empty wins (<c>--requestheader-username-headers</c>).</summary>
    public IReadOnlyList<string> UsernameHeaders { get; init; } = ["X-Remote-User"];

    /// <summary>Headers holding the groups, every value of each (<c>--requestheader-group-headers</c>).</summary>
    public IReadOnlyList<string> GroupHeaders { get; init; } = ["X-Remote-Group"];

    /// <summary>Prefixes of headers holding extra attributes (<c>--requestheader-extra-headers-prefix</c>).</summary>
    public IReadOnlyList<string> ExtraHeaderPrefixes { get; init; } = ["X-Remote-Extra-"];

    /// <summary>What <c>skiff up</c> and <c>skiff apiserver</c> wire by default, as kubeadm does: the front-proxy CA, <c>front-proxy-client</c>, X-Remote-*.</summary>
    public static RequestHeaderSettings FrontProxyDefaults { get; } = new();
}
