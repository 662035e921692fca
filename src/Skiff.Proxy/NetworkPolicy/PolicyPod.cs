using k8s.Models;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>
/// A pod as NetworkPolicy sees it: its namespace, name, IPv4 address, labels, named container ports and whether it runs
/// on this node (only those get firewall chains; every pod can be a peer).
/// </summary>
public sealed record PolicyPod(
    string Namespace,
    string Name,
    string Ip,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<PolicyPod.NamedPort> Ports,
    bool Local)
{
    /// <summary>A named container port (protocol upper case, as in the API).</summary>
    public sealed record NamedPort(string Name, string Protocol, int Port);

    /// <summary>
    /// The pod as policy input, or null when policies ignore it: no IPv4 <c>status.podIP</c> yet, host network (its
    /// address is the node's, which policies never isolate), or finished (Succeeded/Failed: its IP may be reused).
    /// </summary>
    public static PolicyPod? From(V1Pod pod, string nodeName)
    {
        var ip = pod.Status?.PodIP;
        if (string.IsNullOrEmpty(ip) || ip.Contains(':', StringComparison.Ordinal) || pod.Spec?.HostNetwork == true
            || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return null;
        }

        var ports = new List<NamedPort>();
        foreach (var c in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
        {
            foreach (var p in c.Ports ?? [])
            {
                if (!string.IsNullOrEmpty(p.Name))
                {
                    ports.Add(new NamedPort(p.Name, p.Protocol ?? "TCP", p.ContainerPort));
                }
            }
        }

        return new PolicyPod(
            pod.Metadata.NamespaceProperty ?? "",
            pod.Metadata.Name,
            ip,
            pod.Metadata.Labels is { } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal),
            ports,
            pod.Spec?.NodeName == nodeName);
    }
}
