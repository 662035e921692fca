using System.Net;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;

namespace Skiff.Dns;

/// <summary>The cluster DNS's settings (<c>skiff dns</c> and the <c>skiff up</c> flags).</summary>
public sealed record ClusterDnsOptions
{
    /// <summary>The API server and credentials the informers and the kube-dns reconciler use.</summary>
    public required ClientConfig Client { get; init; }

    /// <summary>Where the server listens, UDP and TCP (<c>--cluster-dns-bind</c>); port 0 picks a free one.</summary>
    public IPEndPoint Bind { get; init; } = new(IPAddress.Any, 53);

    /// <summary>
    /// The address pods reach the server on, written into the kube-dns Endpoints (null: the bind address, or when that
    /// is a wildcard, the node's InternalIP given by the host).
    /// </summary>
    public string? AdvertiseAddress { get; init; }

    /// <summary>The cluster domain (<c>--cluster-domain</c>).</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The kube-dns Service's cluster IP (<c>--cluster-dns</c>); null: do not manage the Service.</summary>
    public string? ServiceIp { get; init; } = "10.0.0.10";

    /// <summary>The upstream resolvers; null: the <c>nameserver</c>s of <see cref="ResolvConf"/>.</summary>
    public IReadOnlyList<IPEndPoint>? Upstreams { get; init; }

    /// <summary>The node's resolver configuration the upstreams come from.</summary>
    public string ResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>The TTL of every answer (CoreDNS's default 5 s).</summary>
    public int Ttl { get; init; } = 5;

    /// <summary>How often the kube-dns Service and endpoints are checked.</summary>
    public TimeSpan ReconcilePeriod { get; init; } = TimeSpan.FromSeconds(10);

    public ILoggerFactory? LoggerFactory { get; init; }
}
