using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Skiff.Proxy.Model;

/// <summary>
/// Turns Services and their EndpointSlices into <see cref="ServicePortState"/>s (upstream's service and endpoints
/// change trackers, computed from the informers' caches at each sync). Headless and ExternalName services, services
/// without an IPv4 ClusterIP and non-IPv4 slices are skipped; an endpoint listed by two slices counts once.
/// </summary>
public static class ServiceSnapshot
{
    /// <summary>The EndpointSlice label naming its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The ports of <paramref name="service"/> with their endpoints from <paramref name="slices"/> (the service's slices).</summary>
    public static IReadOnlyList<ServicePortState> Build(V1Service service, IEnumerable<V1EndpointSlice> slices, string nodeName)
    {
        var spec = service.Spec;
        if (spec is null || spec.Type == "ExternalName" || !IsIPv4(spec.ClusterIP) || spec.Ports is null)
        {
            return [];
        }

        var sliceList = slices.Where(s => s.AddressType == "IPv4").ToList();
        var externalIps = (spec.ExternalIPs ?? []).Where(IsIPv4)
            .Concat((service.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip).Where(IsIPv4))
            .Distinct(StringComparer.Ordinal).ToList();
        int? affinity = spec.SessionAffinity == "ClientIP"
            ? spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? 10800
            : null;
        var result = new List<ServicePortState>(spec.Ports.Count);
        foreach (var port in spec.Ports)
        {
            var protocol = (port.Protocol ?? "TCP").ToLowerInvariant();
            var info = new ServicePortInfo
            {
                Namespace = service.Metadata.NamespaceProperty ?? "default",
                Name = service.Metadata.Name,
                PortName = port.Name ?? "",
                Protocol = protocol,
                ClusterIp = spec.ClusterIP,
                Port = port.Port,
                NodePort = spec.Type is "NodePort" or "LoadBalancer" ? port.NodePort ?? 0 : 0,
                ExternalIps = externalIps,
                AffinityTimeoutSeconds = affinity,
                InternalLocal = spec.InternalTrafficPolicy == "Local",
                ExternalLocal = spec.ExternalTrafficPolicy == "Local",
                HealthCheckNodePort = spec.HealthCheckNodePort ?? 0,
            };
            result.Add(new ServicePortState(info, EndpointsOf(info, sliceList, nodeName)));
        }

        return result;
    }

    private static List<EndpointInfo> EndpointsOf(ServicePortInfo info, List<V1EndpointSlice> slices, string nodeName)
    {
        var endpoints = new List<EndpointInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            var port = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == info.PortName && (p.Protocol ?? "TCP").Equals(info.Protocol, StringComparison.OrdinalIgnoreCase));
            if (port?.Port is not { } targetPort)
            {
                continue;
            }

            foreach (var e in slice.Endpoints ?? [])
            {
                var ip = e.Addresses?.FirstOrDefault();
                if (ip is null || !IsIPv4(ip) || !seen.Add($"{ip}/{targetPort}"))
                {
                    continue;
                }

                var ready = e.Conditions?.Ready ?? true;
                endpoints.Add(new EndpointInfo(ip, targetPort, ready, e.Conditions?.Serving ?? ready, e.Conditions?.Terminating ?? false,
                    e.NodeName is { Length: > 0 } n && n == nodeName));
            }
        }

        endpoints.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return endpoints;
    }

    private static bool IsIPv4(string? ip) => IPAddress.TryParse(ip, out var a) && a.AddressFamily == AddressFamily.InterNetwork;
}
