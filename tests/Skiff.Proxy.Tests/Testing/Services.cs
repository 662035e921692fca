using Skiff.Proxy.Model;

namespace Skiff.Proxy.Tests.Testing;

/// <summary>Service ports and endpoints for rule tests, shaped like upstream's proxier_test.go fixtures.</summary>
internal static class Services
{
    public static ServicePortInfo Port(string ns = "ns1", string name = "svc1", string clusterIp = "172.30.0.41", int port = 80, string portName = "p80") => new()
    {
        Namespace = ns,
        Name = name,
        PortName = portName,
        ClusterIp = clusterIp,
        Port = port,
    };

    public static EndpointInfo Ready(string ip, int port = 80, bool local = false) => new(ip, port, true, true, false, local);

    public static EndpointInfo NotReady(string ip, int port = 80, bool local = false) => new(ip, port, false, false, false, local);

    public static EndpointInfo Terminating(string ip, int port = 80, bool serving = true, bool local = false) => new(ip, port, false, serving, true, local);
}
