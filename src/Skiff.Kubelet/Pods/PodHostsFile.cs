using System.Text;
using k8s.Models;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// The <c>/etc/hosts</c> the kubelet writes for a pod (upstream's <c>ensureHostsFile</c> in <c>kubelet_pods.go</c>) and
/// bind-mounts into each of its containers, so that a pod resolves its own name rather than seeing the node's hosts file:
/// <list type="bullet">
/// <item>Off the host network: a managed file — localhost and the IPv6 names, then each pod IP with the pod's hostname
/// (<c>IP\tHOSTNAME.SUBDOMAIN.NS.svc.DOMAIN\tHOSTNAME</c> when <c>spec.subdomain</c> is set, else <c>IP\tHOSTNAME</c>).</item>
/// <item>On the host network: the node's hosts file under its own header.</item>
/// </list>
/// Both end with <c>spec.hostAliases</c>, one line per IP. The hostname is <c>spec.hostname</c> or the pod's name, cut to
/// 63 characters without a trailing <c>-</c> or <c>.</c> (upstream's <c>GeneratePodHostNameAndDomain</c>).
/// </summary>
public static class PodHostsFile
{
    /// <summary>Where the file lives in the container.</summary>
    public const string ContainerPath = "/etc/hosts";

    /// <summary>The file's name in the pod's directory (upstream's <c>getEtcHostsPath</c>).</summary>
    public const string FileName = "etc-hosts";

    private const string ManagedHeader = "# Kubernetes-managed hosts file.\n";
    private const string HostNetworkHeader = "# Kubernetes-managed hosts file (host network).\n";
    private const int MaxHostnameLength = 63;

    /// <summary>
    /// Whether the kubelet mounts the file into <paramref name="container"/>: once the pod has an IP, unless the container
    /// mounts a volume at <c>/etc/hosts</c> itself (upstream's <c>mountEtcHostsFile</c>).
    /// </summary>
    public static bool Mounted(V1Container container, IReadOnlyList<string> podIps) =>
        podIps.Count > 0 && (container.VolumeMounts ?? []).All(m => m.MountPath != ContainerPath);

    /// <summary>The pod's hostname: <c>spec.hostname</c> or its name, at most 63 characters.</summary>
    public static string Hostname(V1Pod pod)
    {
        var name = pod.Spec.Hostname is { Length: > 0 } h ? h : pod.Metadata.Name;
        return name.Length <= MaxHostnameLength ? name : name[..MaxHostnameLength].TrimEnd('-', '.');
    }

    /// <summary>The pod's domain, <c>SUBDOMAIN.NS.svc.DOMAIN</c>, or empty without <c>spec.subdomain</c>.</summary>
    public static string Domain(V1Pod pod, string clusterDomain) =>
        pod.Spec.Subdomain is { Length: > 0 } sub ? $"{sub}.{pod.Metadata.NamespaceProperty}.svc.{clusterDomain}" : "";

    /// <summary>
    /// The file's text. <paramref name="podIps"/> are the pod's IPs; <paramref name="nodeHosts"/> is the text of the node's
    /// <c>/etc/hosts</c>, used only for a pod on the host network.
    /// </summary>
    public static string Content(V1Pod pod, IReadOnlyList<string> podIps, string clusterDomain, string nodeHosts)
    {
        var text = new StringBuilder();
        if (pod.Spec.HostNetwork == true)
        {
            text.Append(HostNetworkHeader).Append(nodeHosts);
        }
        else
        {
            text.Append(ManagedHeader)
                .Append("127.0.0.1\tlocalhost\n")
                .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .Append("fe00::0\tip6-localnet\n")
                .Append("fe00::0\tip6-mcastprefix\n")
                .Append("fe00::1\tip6-allnodes\n")
                .Append("fe00::2\tip6-allrouters\n");
            var hostname = Hostname(pod);
            var domain = Domain(pod, clusterDomain);
            foreach (var ip in podIps)
            {
                text.Append(ip).Append('\t');
                if (domain.Length > 0)
                {
                    text.Append(hostname).Append('.').Append(domain).Append('\t');
                }

                text.Append(hostname).Append('\n');
            }
        }

        if (pod.Spec.HostAliases is { Count: > 0 } aliases)
        {
            text.Append("\n# Entries added by HostAliases.\n");
            foreach (var alias in aliases)
            {
                text.Append(alias.Ip).Append('\t').AppendJoin('\t', alias.Hostnames ?? []).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes the file into <paramref name="podDirectory"/> (mode 0644) and returns its path. It is rewritten in place, as
    /// upstream does, so the containers that already bind-mount it see the same file.
    /// </summary>
    public static string Write(string podDirectory, string content)
    {
        Directory.CreateDirectory(podDirectory);
        var path = Path.Combine(podDirectory, FileName);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }
}
