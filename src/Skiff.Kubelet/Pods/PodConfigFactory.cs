using System.Globalization;
using k8s.Models;
using Skiff.Cri.V1;
using Skiff.Kubelet.Logs;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// Translates a pod into CRI configs as upstream's <c>kuberuntime</c> does: the sandbox (metadata, hostname, DNS, port
/// mappings, <c>io.kubernetes.pod.*</c> labels, log directory, host namespaces) and each container (command, args, env,
/// working dir, mounts, resources as cgroup values, security context, termination-message file, tty/stdin).
/// </summary>
public static class PodConfigFactory
{
    public const string PodNameLabel = "io.kubernetes.pod.name";
    public const string PodNamespaceLabel = "io.kubernetes.pod.namespace";
    public const string PodUidLabel = "io.kubernetes.pod.uid";
    public const string ContainerNameLabel = "io.kubernetes.container.name";
    public const string RestartCountAnnotation = "io.kubernetes.container.restartCount";
    public const string TerminationMessagePathAnnotation = "io.kubernetes.container.terminationMessagePath";

    private const long QuotaPeriod = 100_000;
    private const long MinShares = 2;
    private const long MinQuota = 1000;

    /// <summary>The sandbox config of attempt <paramref name="attempt"/>.</summary>
    public static PodSandboxConfig Sandbox(V1Pod pod, uint attempt, KubeletOptions o)
    {
        var m = pod.Metadata;
        var hostNetwork = pod.Spec.HostNetwork == true;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = m.Name, Namespace = m.NamespaceProperty, Uid = m.Uid, Attempt = attempt },
            // Upstream leaves a host-network sandbox's hostname empty: it shares the node's UTS namespace, and runc refuses
            // to set a hostname there ("unable to set hostname without a private UTS namespace").
            Hostname = hostNetwork ? "" : PodHostsFile.Hostname(pod),
            LogDirectory = PodLogPaths.PodDirectory(o.PodLogDirectory, m.NamespaceProperty, m.Name, m.Uid),
            DnsConfig = Dns(pod, o),
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = Namespaces(pod.Spec),
                    Privileged = pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []).Any(c => c.SecurityContext?.Privileged == true),
                },
            },
        };
        foreach (var (k, v) in m.Labels ?? new Dictionary<string, string>())
        {
            config.Labels[k] = v;
        }

        config.Labels[PodNameLabel] = m.Name;
        config.Labels[PodNamespaceLabel] = m.NamespaceProperty;
        config.Labels[PodUidLabel] = m.Uid;
        foreach (var (k, v) in m.Annotations ?? new Dictionary<string, string>())
        {
            config.Annotations[k] = v;
        }

        foreach (var c in pod.Spec.Containers)
        {
            foreach (var p in c.Ports ?? [])
            {
                if (p.HostPort is > 0)
                {
                    config.PortMappings.Add(new PortMapping
                    {
                        ContainerPort = p.ContainerPort,
                        HostPort = p.HostPort.Value,
                        HostIp = p.HostIP ?? "",
                        Protocol = p.Protocol switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
                    });
                }
            }
        }

        return config;
    }

    /// <summary>The DNS of the sandbox (upstream's <c>dns.Configurer</c>; see <see cref="PodDns"/>).</summary>
    public static DNSConfig Dns(V1Pod pod, KubeletOptions o)
    {
        string? host;
        try
        {
            host = File.Exists(o.ResolvConf) ? File.ReadAllText(o.ResolvConf) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            host = null;
        }

        var servers = (o.ClusterDns ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return PodDns.Configure(pod, servers, o.ClusterDomain, host).Config;
    }

    /// <summary>The container config of restart <paramref name="restartCount"/>.</summary>
    public static ContainerConfig Container(V1Pod pod, V1Container c, int restartCount, IReadOnlyList<KeyValuePair<string, string>> env,
        IReadOnlyList<Mount> mounts)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = c.Name, Attempt = (uint)restartCount },
            Image = new ImageSpec { Image = c.Image },
            WorkingDir = c.WorkingDir ?? "",
            LogPath = PodLogPaths.ContainerLogRelative(c.Name, restartCount),
            Tty = c.Tty == true,
            Stdin = c.Stdin == true,
            StdinOnce = c.StdinOnce == true,
            Linux = new LinuxContainerConfig { Resources = Resources(c), SecurityContext = Security(pod, c) },
        };
        var vars = env.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        config.Command.AddRange((c.Command ?? []).Select(a => LiteralEnvResolver.Expand(a, vars)));
        config.Args.AddRange((c.Args ?? []).Select(a => LiteralEnvResolver.Expand(a, vars)));
        config.Envs.AddRange(env.Select(kv => new KeyValue { Key = kv.Key, Value = Google.Protobuf.ByteString.CopyFromUtf8(kv.Value) }));
        config.Mounts.AddRange(mounts);
        config.Labels[PodNameLabel] = pod.Metadata.Name;
        config.Labels[PodNamespaceLabel] = pod.Metadata.NamespaceProperty;
        config.Labels[PodUidLabel] = pod.Metadata.Uid;
        config.Labels[ContainerNameLabel] = c.Name;
        config.Annotations[RestartCountAnnotation] = restartCount.ToString(CultureInfo.InvariantCulture);
        config.Annotations[TerminationMessagePathAnnotation] = c.TerminationMessagePath ?? "/dev/termination-log";
        return config;
    }

    /// <summary>Upstream's conversions: shares = milliCPU×1024/1000 (≥ 2), quota = milliCPU×period/1000 (≥ 1000), memory limit in bytes.</summary>
    public static LinuxContainerResources Resources(V1Container c)
    {
        static long Milli(IDictionary<string, ResourceQuantity>? list, string name) =>
            list?.TryGetValue(name, out var q) == true ? (long)Math.Ceiling(q.ToDecimal() * 1000m) : 0;
        static long Bytes(IDictionary<string, ResourceQuantity>? list, string name) =>
            list?.TryGetValue(name, out var q) == true ? (long)q.ToDecimal() : 0;
        var cpuRequest = Milli(c.Resources?.Requests, "cpu");
        var cpuLimit = Milli(c.Resources?.Limits, "cpu");
        if (cpuRequest == 0 && cpuLimit > 0)
        {
            cpuRequest = cpuLimit;
        }

        var r = new LinuxContainerResources { CpuShares = Math.Max(MinShares, cpuRequest * 1024 / 1000) };
        if (cpuLimit > 0)
        {
            r.CpuPeriod = QuotaPeriod;
            r.CpuQuota = Math.Max(MinQuota, cpuLimit * QuotaPeriod / 1000);
        }

        r.MemoryLimitInBytes = Bytes(c.Resources?.Limits, "memory");
        return r;
    }

    private static LinuxContainerSecurityContext Security(V1Pod pod, V1Container c)
    {
        var s = c.SecurityContext;
        var ps = pod.Spec.SecurityContext;
        var sc = new LinuxContainerSecurityContext
        {
            Privileged = s?.Privileged == true,
            ReadonlyRootfs = s?.ReadOnlyRootFilesystem == true,
            NamespaceOptions = Namespaces(pod.Spec),
            NoNewPrivs = s?.AllowPrivilegeEscalation == false,
        };
        if ((s?.RunAsUser ?? ps?.RunAsUser) is { } uid)
        {
            sc.RunAsUser = new Int64Value { Value = uid };
        }

        if ((s?.RunAsGroup ?? ps?.RunAsGroup) is { } gid)
        {
            sc.RunAsGroup = new Int64Value { Value = gid };
        }

        sc.SupplementalGroups.AddRange((ps?.SupplementalGroups ?? []).Where(g => g.HasValue).Select(g => g!.Value));
        if (ps?.FsGroup is { } fs)
        {
            sc.SupplementalGroups.Add(fs);
        }

        if (s?.Capabilities is { } caps)
        {
            sc.Capabilities = new Capability();
            sc.Capabilities.AddCapabilities.AddRange((caps.Add ?? []).Select(Cap));
            sc.Capabilities.DropCapabilities.AddRange((caps.Drop ?? []).Select(Cap));
        }

        return sc;
    }

    private static string Cap(string name) => name.ToUpperInvariant() == "ALL" ? "ALL" : name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name.ToUpperInvariant() : "CAP_" + name.ToUpperInvariant();

    private static NamespaceOption Namespaces(V1PodSpec spec) => new()
    {
        Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
        Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
        Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
    };
}
