using k8s.Models;
using Skiff.Proxy.Model;
using Xunit;

namespace Skiff.Proxy.Tests.Model;

/// <summary>Services and EndpointSlices to service ports: upstream's defaults for absent conditions, port matching, skipped kinds.</summary>
public sealed class ServiceSnapshotTests
{
    private static V1Service Service(string type = "ClusterIP", string clusterIp = "10.0.0.5") => new()
    {
        Metadata = new() { Name = "web", NamespaceProperty = "ns" },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = clusterIp,
            Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP", NodePort = type == "ClusterIP" ? null : 30080 }],
            SessionAffinity = "ClientIP",
            ExternalTrafficPolicy = type == "ClusterIP" ? null : "Local",
            HealthCheckNodePort = type == "LoadBalancer" ? 31000 : null,
        },
        Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = type == "LoadBalancer" ? [new V1LoadBalancerIngress { Ip = "192.0.2.2" }] : null } },
    };

    private static V1EndpointSlice Slice(params V1Endpoint[] endpoints) => new()
    {
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }, new Discoveryv1EndpointPort { Name = "metrics", Port = 9090 }],
        Endpoints = endpoints,
    };

    [Fact]
    public void ReadsPortsEndpointsAndConditionsAsUpstream()
    {
        var slices = new[]
        {
            Slice(
                new V1Endpoint { Addresses = ["10.42.0.5"], NodeName = "me" },
                new V1Endpoint { Addresses = ["10.42.0.6"], Conditions = new V1EndpointConditions { Ready = false, Serving = true, Terminating = true } }),
            Slice(new V1Endpoint { Addresses = ["10.42.0.5"], NodeName = "me" }),
        };
        var port = Assert.Single(ServiceSnapshot.Build(Service("LoadBalancer"), slices, "me"));
        Assert.Equal(("ns", "web", "http", "tcp", "10.0.0.5", 80, 30080), (port.Service.Namespace, port.Service.Name, port.Service.PortName, port.Service.Protocol, port.Service.ClusterIp, port.Service.Port, port.Service.NodePort));
        Assert.Equal(10800, port.Service.AffinityTimeoutSeconds);
        Assert.True(port.Service.ExternalLocal);
        Assert.Equal(31000, port.Service.HealthCheckNodePort);
        Assert.Equal(["192.0.2.2"], port.Service.ExternalIps);
        Assert.Equal(
            [new EndpointInfo("10.42.0.5", 8080, true, true, false, true), new EndpointInfo("10.42.0.6", 8080, false, true, true, false)],
            port.Endpoints);
    }

    [Fact]
    public void SkipsHeadlessExternalNameAndNodePortsOfClusterIpServices()
    {
        Assert.Empty(ServiceSnapshot.Build(Service(clusterIp: "None"), [], "me"));
        var external = Service();
        external.Spec.Type = "ExternalName";
        Assert.Empty(ServiceSnapshot.Build(external, [], "me"));
        var clusterIp = Service();
        clusterIp.Spec.Ports[0].NodePort = 30001;
        Assert.Equal(0, Assert.Single(ServiceSnapshot.Build(clusterIp, [], "me")).Service.NodePort);
    }
}
