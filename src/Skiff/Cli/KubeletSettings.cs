namespace Skiff.Cli;

/// <summary>The flags of <c>skiff kubelet</c>, parsed (the real kubelet, or hollow nodes with <c>--hollow</c>).</summary>
internal sealed record KubeletSettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>
    /// <c>--bootstrap-kubeconfig</c>: bootstrap credentials (a bootstrap token) used to obtain a client certificate
    /// through a CSR when <see cref="Kubeconfig"/> holds no valid one; the kubeconfig is then written.
    /// </summary>
    public string? BootstrapKubeconfig { get; init; }

    /// <summary>
    /// <c>--rotate-server-certificates</c> (upstream's <c>serverTLSBootstrap</c>): the serving certificate comes from a
    /// <c>kubernetes.io/kubelet-serving</c> CSR and is renewed before it expires.
    /// </summary>
    public bool RotateServerCertificates { get; init; }

    /// <summary>Run hollow nodes (no containers) instead of a real kubelet.</summary>
    public bool Hollow { get; init; }

    /// <summary>How many hollow nodes.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Node names are this prefix and an index.</summary>
    public string NodeNamePrefix { get; init; } = "hollow-";

    /// <summary>
    /// <c>--node-token-file</c>: a token file (the API server's <c>--token-auth-file</c> CSV) with a
    /// <c>system:node:NAME</c> line per hollow node; each node then writes as itself. Null: all write as the kubeconfig's user.
    /// </summary>
    public string? NodeTokenFile { get; init; }

    /// <summary>The index of the first node (several processes can share a cluster with disjoint names and pod CIDRs).</summary>
    public int FirstIndex { get; init; }

    /// <summary>The real kubelet's node name (default: the hostname, lowercased).</summary>
    public string? NodeName { get; init; }

    /// <summary>The CRI endpoint (<c>unix:///…</c>); null: start containerd under <see cref="RootDirectory"/>.</summary>
    public string? ContainerRuntimeEndpoint { get; init; }

    /// <summary>The kubelet's root directory.</summary>
    public string RootDirectory { get; init; } = "/var/lib/skiff-kubelet";

    public string PodCidr { get; init; } = "10.42.0.0/24";

    public string? ClusterDns { get; init; }

    public string ClusterDomain { get; init; } = "cluster.local";

    public int Port { get; init; } = 10250;

    /// <summary>The plain-HTTP <c>/healthz</c> port (<c>--healthz-port</c>); 0 turns it off.</summary>
    public int HealthzPort { get; init; } = 10248;

    /// <summary>The address <c>/healthz</c> listens on (<c>--healthz-bind-address</c>).</summary>
    public System.Net.IPAddress HealthzBindAddress { get; init; } = System.Net.IPAddress.Loopback;

    public float Qps { get; init; } = 0;

    public int Burst { get; init; } = 100;

    public int Verbosity { get; init; }
}
