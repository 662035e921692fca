using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>upstream's service printer: TYPE, CLUSTER-IP, EXTERNAL-IP (per type), PORT(S) (<c>80:30080/TCP</c>), AGE, SELECTOR.</summary>
public static class ServicePrinter
{
    /// <summary>The service table.</summary>
    public static TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"),
            Columns.S("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
            Columns.S("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."),
            Columns.S("Port(s)", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
            Columns.Age,
            Columns.S("Selector", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/", 1),
        ],
        Cells_);

    private static IReadOnlyList<object?> Cells_(JsonObject o, DateTimeOffset now)
    {
        var spec = JsonPath.Obj(o, "spec");
        var type = JsonPath.Str(spec, "type") ?? "";
        var clusterIps = JsonPath.Arr(spec, "clusterIPs");
        var internalIp = clusterIps is { Count: > 0 } ? JsonPath.AsString(clusterIps[0]) ?? "<none>" : "<none>";
        var ports = string.Join(",", JsonPath.Objects(spec, "ports").Select(p =>
        {
            var port = JsonPath.Long(p, "port") ?? 0;
            var protocol = JsonPath.Str(p, "protocol") ?? "";
            var nodePort = JsonPath.Long(p, "nodePort") ?? 0;
            return nodePort > 0 ? $"{port}:{nodePort}/{protocol}" : $"{port}/{protocol}";
        }));
        return
        [
            JsonPath.Name(o),
            type,
            internalIp,
            ExternalIp(o, type),
            ports.Length == 0 ? "<none>" : ports,
            Cells.Age(o, now),
            Cells.Labels(JsonPath.Get(spec, "selector")),
        ];
    }

    private static string ExternalIp(JsonObject o, string type)
    {
        var externalIps = (JsonPath.Arr(o, "spec", "externalIPs") ?? []).Select(JsonPath.AsString).OfType<string>().ToList();
        switch (type)
        {
            case "ClusterIP":
            case "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var lb = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var ing in JsonPath.Objects(o, "status", "loadBalancer", "ingress"))
                {
                    if (JsonPath.Str(ing, "ip") is { Length: > 0 } ip)
                    {
                        lb.Add(ip);
                    }
                    else if (JsonPath.Str(ing, "hostname") is { Length: > 0 } host)
                    {
                        lb.Add(host);
                    }
                }

                if (externalIps.Count > 0)
                {
                    return string.Join(",", lb.Concat(externalIps));
                }

                return lb.Count > 0 ? string.Join(",", lb) : "<pending>";
            case "ExternalName":
                return JsonPath.Str(o, "spec", "externalName") ?? "";
            default:
                return "<unknown>";
        }
    }
}
