using System.Net;

namespace Skiff.Cli;

/// <summary>The flags of <c>skiff dns</c> (and the cluster-DNS flags of <c>skiff up</c>), parsed.</summary>
internal sealed record DnsSettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Where the server listens, UDP and TCP (<c>--cluster-dns-bind</c>); port 0 picks a free one.</summary>
    public IPEndPoint Bind { get; init; } = new(IPAddress.Any, 53);

    /// <summary>True when <see cref="Bind"/> was given (a bind failure then stops the process).</summary>
    public bool BindExplicit { get; init; }

    /// <summary>The address written into the kube-dns endpoints; null: derived from the bind address.</summary>
    public string? AdvertiseAddress { get; init; }

    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The kube-dns Service's cluster IP (<c>--cluster-dns</c>).</summary>
    public string ClusterDns { get; init; } = "10.0.0.10";

    /// <summary>The loopback HTTP port serving <c>/metrics</c> and <c>/healthz</c>; 0 = none.</summary>
    public int MetricsPort { get; init; }

    public int Verbosity { get; init; }
}
