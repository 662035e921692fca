using Microsoft.Extensions.Logging;

namespace Skiff.Kubelet.Pods;

/// <summary>The real kubelet's settings (upstream's KubeletConfiguration, the part Skiff honours).</summary>
public sealed record KubeletOptions
{
    /// <summary>The node's name (default: the hostname, lowercased).</summary>
    public required string NodeName { get; init; }

    /// <summary>The kubelet's root (<c>--root-dir</c>): pods' volumes under <c>pods/UID/volumes</c>.</summary>
    public required string RootDirectory { get; init; }

    /// <summary>Where container logs go (upstream <c>/var/log/pods</c>).</summary>
    public string PodLogDirectory => Path.Combine(RootDirectory, "logs", "pods");

    /// <summary>The node's pod CIDR when the Node has none (<c>--pod-cidr</c>).</summary>
    public string PodCidr { get; init; } = "10.42.0.0/24";

    /// <summary>The CNI bridge.</summary>
    public string Bridge { get; init; } = "cni0";

    /// <summary>
    /// Whether the pod CIDR's egress is masqueraded by one node-wide rule (<see cref="Network.NodeMasquerade"/>, the
    /// default) rather than by the CNI bridge plugin per pod (<c>ipMasq</c>, about six iptables calls on every pod start
    /// and stop). Only when the kubelet writes the CNI config.
    /// </summary>
    public bool NodeMasquerade { get; init; } = true;

    /// <summary>
    /// Called once per pod when its first start is published as Running, with the time each step took (upstream's pod
    /// startup latency tracker; the kubelet bench prints the breakdown). Null: no tracing.
    /// </summary>
    public Action<PodStartTrace>? PodStarted { get; init; }

    /// <summary>The cluster DNS servers, comma-separated (<c>--cluster-dns</c>); null: ClusterFirst pods fall back to the host's resolv.conf.</summary>
    public string? ClusterDns { get; init; }

    /// <summary>The cluster domain (<c>--cluster-domain</c>) ClusterFirst pods search.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The host resolver configuration Default-policy pods get.</summary>
    public string ResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>The kubelet's HTTPS port, published in the Node's daemonEndpoints.</summary>
    public int Port { get; init; } = 10250;

    /// <summary>The plain-HTTP <c>/healthz</c> port (upstream <c>--healthz-port</c>, default 10248); 0 turns it off, as upstream.</summary>
    public int HealthzPort { get; init; } = Server.KubeletHealthzServer.DefaultPort;

    /// <summary>The address <c>/healthz</c> listens on (upstream <c>--healthz-bind-address</c>, default 127.0.0.1).</summary>
    public System.Net.IPAddress HealthzBindAddress { get; init; } = System.Net.IPAddress.Loopback;

    /// <summary>The kubelet version reported in nodeInfo.</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";

    /// <summary>How often the runtime is relisted for container state changes (upstream's PLEG period, 1 s).</summary>
    public TimeSpan RelistPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The first CrashLoopBackOff/ImagePullBackOff delay (doubling up to <see cref="MaxBackoff"/>).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A container that ran this long resets its backoff.</summary>
    public TimeSpan BackoffReset { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the pods get to stop when the kubelet shuts down (node shutdown).</summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many pods may be in their first start (sandbox, network, container creation) at once; the rest queue in
    /// arrival order. The runtime's work per pod is CPU-bound (shim, runc, CNI plugins): running every pod's start at
    /// once shares the CPU so that all finish late, while a bounded number finishes the early ones early (the median
    /// start-up latency halves for a burst). Restarts and terminations are not gated. Default: twice the processor
    /// count, at least 4.
    /// </summary>
    public int MaxParallelPodStarts { get; init; } = Math.Max(4, 2 * Environment.ProcessorCount);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}
