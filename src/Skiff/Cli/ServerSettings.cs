namespace Skiff.Cli;

/// <summary>The flags of <c>skiff up</c> and <c>skiff apiserver</c>, parsed.</summary>
internal sealed record ServerSettings
{
    public required string DataDirectory { get; init; }

    public int Port { get; init; } = 6443;

    /// <summary>The address the API server listens on (<c>--bind-address</c>; upstream's default, all interfaces).</summary>
    public System.Net.IPAddress BindAddress { get; init; } = System.Net.IPAddress.Any;

    /// <summary>
    /// The address published in the <c>default/kubernetes</c> endpoints (<c>--advertise-address</c>); null: the bind
    /// address, or for all interfaces the host's default-route IPv4 address (so pods reach the API through the
    /// <c>kubernetes</c> Service).
    /// </summary>
    public System.Net.IPAddress? AdvertiseAddress { get; init; }

    /// <summary>sqlite, memory or etcd.</summary>
    public string Storage { get; init; } = "sqlite";

    public IReadOnlyList<string> EtcdServers { get; init; } = [];

    public string? TokenFile { get; init; }

    /// <summary>A PEM bundle of further CAs whose client certificates authenticate (<c>--client-ca-file</c>).</summary>
    public string? ClientCaFile { get; init; }

    public bool WatchCache { get; init; } = true;

    /// <summary>The service-account token flags (issuer, audiences, keys, expiration limits).</summary>
    public Skiff.ApiServer.Authentication.ServiceAccounts.ServiceAccountTokenSettings ServiceAccountTokens { get; init; } = new();

    /// <summary>Upstream's <c>--controllers</c>, for the controller manager inside <c>skiff up</c>.</summary>
    public IReadOnlyList<string> Controllers { get; init; } = [];

    /// <summary>Hollow nodes run inside <c>skiff up</c> after the controller manager (0 = none).</summary>
    public int HollowNodes { get; init; }

    /// <summary>The node runtime of <c>skiff up</c>: auto (containerd when it can, else one hollow node), containerd, hollow, or none (no kubelet).</summary>
    public string Runtime { get; init; } = "auto";

    /// <summary>A running CRI runtime to use (<c>unix:///…</c>); null: start containerd under the data dir.</summary>
    public string? ContainerRuntimeEndpoint { get; init; }

    /// <summary>
    /// <c>--rotate-server-certificates</c>: the real kubelet's serving certificate comes from a
    /// <c>kubernetes.io/kubelet-serving</c> CSR an admin approves (default: issued from the cluster CA at start).
    /// </summary>
    public bool RotateServerCertificates { get; init; }

    /// <summary>The cluster DNS of <c>skiff up</c> (<c>--cluster-dns-bind</c>, <c>--cluster-domain</c>, <c>--cluster-dns</c>); null for <c>skiff apiserver</c>.</summary>
    public DnsSettings? Dns { get; init; }

    /// <summary>klog's <c>-v</c>.</summary>
    public int Verbosity { get; init; }

    /// <summary>Admission plugins turned on beside the defaults (<c>--enable-admission-plugins</c>).</summary>
    public IReadOnlyList<string> EnableAdmissionPlugins { get; init; } = [];

    /// <summary>Admission plugins turned off (<c>--disable-admission-plugins</c>).</summary>
    public IReadOnlyList<string> DisableAdmissionPlugins { get; init; } = [];

    /// <summary>The <c>--requestheader-*</c> settings, the <c>--requestheader-client-ca-file</c> (null: the front-proxy CA) and <c>--enable-aggregator-routing</c>.</summary>
    public (Skiff.ApiServer.Security.RequestHeaderSettings Settings, string? ClientCaFile, bool AggregatorRouting) RequestHeader { get; init; } =
        (Skiff.ApiServer.Security.RequestHeaderSettings.FrontProxyDefaults, null, true);

    /// <summary>API Priority and Fairness (<c>--enable-priority-and-fairness</c>, <c>--max-requests-inflight</c>, <c>--max-mutating-requests-inflight</c>).</summary>
    public Skiff.ApiServer.FlowControl.FlowControlSettings FlowControl { get; init; } = new();
    /// <summary>Auditing (<c>--audit-policy-file</c>, <c>--audit-log-*</c>).</summary>
    public Skiff.ApiServer.Audit.AuditLogOptions Audit { get; init; } = new();

    /// <summary>The default data directory: <c>$SKIFF_DATA_DIR</c>, else <c>~/.skiff</c>.</summary>
    public static string DefaultDataDirectory() =>
        Environment.GetEnvironmentVariable("SKIFF_DATA_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".skiff");
}
