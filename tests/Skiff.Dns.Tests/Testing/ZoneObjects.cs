using k8s.Models;

namespace Skiff.Dns.Tests.Testing;

/// <summary>Services and EndpointSlices as the API server and the endpointslice controller would write them.</summary>
internal static class ZoneObjects
{
    public static V1Service ClusterIp(string ns, string name, string ip, params (string? Name, int Port, string Protocol)[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = ip,
            ClusterIPs = [ip],
            Ports = ports.Select(p => new V1ServicePort { Name = p.Name, Port = p.Port, Protocol = p.Protocol }).ToList(),
        },
    };

    public static V1Service Headless(string ns, string name, bool publishNotReady = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = "None", ClusterIPs = ["None"], PublishNotReadyAddresses = publishNotReady },
    };

    public static V1Service ExternalName(string ns, string name, string target) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = target },
    };

    public static V1EndpointSlice Slice(string ns, string service, string name, IEnumerable<(string Ip, string? Hostname, bool Ready)> endpoints,
        params (string? Name, int Port, string Protocol)[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = endpoints.Select(e => new V1Endpoint { Addresses = [e.Ip], Hostname = e.Hostname, Conditions = new V1EndpointConditions { Ready = e.Ready } }).ToList(),
        Ports = ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = p.Port, Protocol = p.Protocol }).ToList(),
    };
}
