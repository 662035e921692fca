using ARSoft.Tools.Net;

namespace Skiff.Dns.Zone;

/// <summary>The cluster zone's settings (CoreDNS's <c>kubernetes cluster.local { ttl 5; pods insecure }</c>).</summary>
internal sealed record ZoneSettings
{
    /// <summary>The cluster domain (<c>--cluster-domain</c>).</summary>
    public string Domain { get; init; } = "cluster.local";

    /// <summary>The TTL of every record and of negative answers (CoreDNS's default 5 s).</summary>
    public int Ttl { get; init; } = 5;

    /// <summary>The parsed <see cref="Domain"/>.</summary>
    public DomainName Zone => DomainName.Parse(Domain);
}
