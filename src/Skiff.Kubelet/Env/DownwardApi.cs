using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s.Models;
using Skiff.Api.Validation;

namespace Skiff.Kubelet.Env;

/// <summary>
/// The downward API's values for a pod and container, shared by env (<see cref="ContainerEnvResolver"/>) and the
/// downwardAPI volume:
/// <list type="bullet">
/// <item><see cref="EnvFieldValue"/>: upstream <c>podFieldSelectorRuntimeValue</c> — metadata.name, namespace, uid,
/// labels, annotations (whole, as sorted <c>key="value"</c> lines, or one key by subscript), spec.nodeName,
/// spec.serviceAccountName, status.hostIP(s), status.podIP(s) (one IP per family, the node's family first).</item>
/// <item><see cref="ObjectFieldValue"/>: upstream <c>fieldpath.ExtractFieldPathAsString</c> — the metadata paths only
/// (what a downwardAPI volume item may select).</item>
/// <item><see cref="ResourceFieldValue"/>: upstream <c>ExtractResourceValueByContainerNameAndNodeAllocatable</c> —
/// limits/requests of cpu, memory, ephemeral-storage and hugepages-*, divided by the divisor and rounded up; unset (or
/// zero) cpu/memory/ephemeral-storage limits default to the node's allocatable.</item>
/// </list>
/// Errors are <see cref="DownwardApiException"/>s with upstream's messages.
/// </summary>
public static class DownwardApi
{
    private static readonly string[] DefaultedLimits = ["cpu", "memory", "ephemeral-storage"];

    /// <summary>The value of an env var's fieldRef.</summary>
    public static string EnvFieldValue(V1Pod pod, V1ObjectFieldSelector selector, PodNetworkInfo network)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(network);
        var path = ConvertFieldLabel(selector.ApiVersion, selector.FieldPath);
        var hostIps = network.HostIps ?? [];
        var podIps = SortByFamily(network.PodIps ?? [], hostIps.Count > 0 ? hostIps[0] : null);
        var podIp = podIps.Count > 0 ? podIps[0] : network.PodIps?.FirstOrDefault() ?? string.Empty;
        switch (path)
        {
            case "spec.nodeName":
                return pod.Spec?.NodeName ?? string.Empty;
            case "spec.serviceAccountName":
                return pod.Spec?.ServiceAccountName ?? string.Empty;
            case "status.hostIP":
                return hostIps.Count > 0 ? hostIps[0] : throw new DownwardApiException("host IP unknown; known addresses: []");
            case "status.hostIPs":
                return hostIps.Count > 0 ? string.Join(',', hostIps) : throw new DownwardApiException("host IP unknown; known addresses: []");
            case "status.podIP":
                return podIp;
            case "status.podIPs":
                return string.Join(',', podIps);
            default:
                return ObjectFieldValue(pod, path);
        }
    }

    /// <summary>The value of a metadata field path (the downwardAPI volume's fieldRef).</summary>
    public static string ObjectFieldValue(V1Pod pod, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(fieldPath);
        var meta = pod.Metadata ?? new V1ObjectMeta();
        if (TrySplitSubscript(fieldPath, out var path, out var key))
        {
            switch (path)
            {
                case "metadata.annotations":
                    ThrowIfInvalidKey(fieldPath, ValueValidation.IsQualifiedName(key.ToLowerInvariant()));
                    return meta.Annotations?.TryGetValue(key, out var a) == true ? a : string.Empty;
                case "metadata.labels":
                    ThrowIfInvalidKey(fieldPath, ValueValidation.IsQualifiedName(key));
                    return meta.Labels?.TryGetValue(key, out var l) == true ? l : string.Empty;
                default:
                    throw new DownwardApiException($"fieldPath {GoFormat.Quote(fieldPath)} does not support subscript");
            }
        }

        return fieldPath switch
        {
            "metadata.annotations" => FormatMap(meta.Annotations),
            "metadata.labels" => FormatMap(meta.Labels),
            "metadata.name" => meta.Name ?? string.Empty,
            "metadata.namespace" => meta.NamespaceProperty ?? string.Empty,
            "metadata.uid" => meta.Uid ?? string.Empty,
            _ => throw new DownwardApiException($"unsupported fieldPath: {fieldPath}"),
        };
    }

    /// <summary>
    /// The value of a resourceFieldRef: of <paramref name="selector"/>'s containerName when set, else of
    /// <paramref name="container"/>; limits left unset default to <paramref name="nodeAllocatable"/>.
    /// </summary>
    public static string ResourceFieldValue(V1Pod pod, V1Container? container, V1ResourceFieldSelector selector, IReadOnlyDictionary<string, ResourceQuantity> nodeAllocatable)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(nodeAllocatable);
        if (!string.IsNullOrEmpty(selector.ContainerName))
        {
            container = (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []).FirstOrDefault(c => c.Name == selector.ContainerName)
                ?? throw new DownwardApiException($"container {selector.ContainerName} not found");
        }
        else if (container is null)
        {
            throw new DownwardApiException("a resourceFieldRef without containerName needs a container");
        }

        var limits = new Dictionary<string, ResourceQuantity>(container.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal);
        foreach (var name in DefaultedLimits)
        {
            if ((!limits.TryGetValue(name, out var q) || q.ToDecimal() == 0) && nodeAllocatable.TryGetValue(name, out var cap))
            {
                limits[name] = cap;
            }
        }

        var requests = container.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>();
        var divisor = selector.Divisor is { } d && d.ToDecimal() != 0 ? d.ToDecimal() : 1m;
        var resource = selector.Resource ?? string.Empty;
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        var (list, name2) = dot < 0 ? (null, resource) : (resource[..dot] switch
        {
            "limits" => (IDictionary<string, ResourceQuantity>?)limits,
            "requests" => requests,
            _ => null,
        }, resource[(dot + 1)..]);
        if (list is null || !(name2 is "cpu" or "memory" or "ephemeral-storage" || name2.StartsWith("hugepages-", StringComparison.Ordinal)))
        {
            throw new DownwardApiException($"unsupported container resource : {resource}");
        }

        var value = list.TryGetValue(name2, out var quantity) ? quantity.ToDecimal() : 0m;
        var result = name2 == "cpu"
            ? Math.Ceiling(Math.Ceiling(value * 1000) / Math.Ceiling(divisor * 1000))
            : Math.Ceiling(Math.Ceiling(value) / Math.Ceiling(divisor));
        return result.ToString("0", CultureInfo.InvariantCulture);
    }

    // Upstream ConvertDownwardAPIFieldLabel: the paths a pod's fieldRef may name (spec.host is the old spec.nodeName).
    private static string ConvertFieldLabel(string? apiVersion, string? fieldPath)
    {
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != "v1")
        {
            throw new DownwardApiException($"unsupported pod version: {apiVersion}");
        }

        var label = fieldPath ?? string.Empty;
        if (TrySplitSubscript(label, out var path, out _))
        {
            return path is "metadata.annotations" or "metadata.labels"
                ? label
                : throw new DownwardApiException($"field label does not support subscript: {label}");
        }

        return label switch
        {
            "metadata.annotations" or "metadata.labels" or "metadata.name" or "metadata.namespace" or "metadata.uid"
                or "spec.nodeName" or "spec.restartPolicy" or "spec.serviceAccountName" or "spec.schedulerName"
                or "status.phase" or "status.hostIP" or "status.hostIPs" or "status.podIP" or "status.podIPs" => label,
            "spec.host" => "spec.nodeName",
            _ => throw new DownwardApiException($"field label not supported: {label}"),
        };
    }

    // metadata.labels['key'] → (metadata.labels, key).
    private static bool TrySplitSubscript(string fieldPath, out string path, out string subscript)
    {
        path = fieldPath;
        subscript = string.Empty;
        if (!fieldPath.EndsWith("']", StringComparison.Ordinal))
        {
            return false;
        }

        var s = fieldPath[..^2];
        var open = s.IndexOf("['", StringComparison.Ordinal);
        if (open <= 0)
        {
            return false;
        }

        path = s[..open];
        subscript = s[(open + 2)..];
        return true;
    }

    private static void ThrowIfInvalidKey(string fieldPath, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new DownwardApiException($"invalid key subscript in {fieldPath}: {string.Join(';', errors)}");
        }
    }

    // Upstream fieldpath.FormatMap: key="value" lines (Go %q) in key order.
    private static string FormatMap(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(k).Append('=').Append(GoFormat.Quote(v)).Append('\n');
        }

        return sb.ToString(0, sb.Length - 1);
    }

    // Upstream sortPodIPs: the first valid IP of the node's family (IPv4 when unknown), then the first of the other.
    private static List<string> SortByFamily(IReadOnlyList<string> podIps, string? nodeIp)
    {
        var primary = nodeIp is not null && IsIp(nodeIp, AddressFamily.InterNetworkV6) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var secondary = primary == AddressFamily.InterNetwork ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var sorted = new List<string>(2);
        if (podIps.FirstOrDefault(ip => IsIp(ip, primary)) is { } first)
        {
            sorted.Add(first);
        }

        if (podIps.FirstOrDefault(ip => IsIp(ip, secondary)) is { } second)
        {
            sorted.Add(second);
        }

        return sorted;
    }

    // Go's net.ParseIP is strict: IPv4 only as four decimal octets.
    private static bool IsIp(string text, AddressFamily family)
    {
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != family)
        {
            return false;
        }

        return family == AddressFamily.InterNetworkV6 || (text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)));
    }
}
