using k8s.Models;
using Skiff.Kubelet.Env;
using Xunit;

namespace Skiff.Kubelet.Tests.Env;

/// <summary>Checked against upstream's TestMakeEnvironmentVariables service cases (kubelet_pods_test.go).</summary>
public sealed class ServiceEnvVarsTests
{
    private static readonly V1Service[] Services =
    [
        Service("kubernetes", "default", "1.2.3.1", 8081),
        Service("test", "test1", "1.2.3.3", 8083),
        Service("kubernetes", "test2", "1.2.3.4", 8084),
        Service("test", "test2", "1.2.3.5", 8085),
        Service("test", "test2", "None", 8085),
        Service("test", "test2", "", 8085),
        Service("not-special", "default", "1.2.3.8", 8088),
        Service("not-special", "default", "None", 8088),
        Service("not-special", "default", "", 8088),
    ];

    [Fact]
    public void WithoutServiceLinks_OnlyTheMasterServiceFromDefault()
    {
        var env = ServiceEnvVars.FromServices(ServiceEnvVars.Visible(Services, "test1", enableServiceLinks: false)).ToDictionary();
        Assert.Equal(Kubernetes("1.2.3.1", 8081), env);
    }

    [Fact]
    public void WithServiceLinks_TheNamespacesServicesToo()
    {
        var env = ServiceEnvVars.FromServices(ServiceEnvVars.Visible(Services, "test1", enableServiceLinks: true)).ToDictionary();
        var expected = Kubernetes("1.2.3.1", 8081);
        foreach (var (k, v) in Test("1.2.3.3", 8083))
        {
            expected[k] = v;
        }

        Assert.Equal(expected, env);
    }

    [Fact]
    public void AMasterServiceInThePodsNamespace_WinsWithServiceLinks_AndHeadlessOnesAreSkipped()
    {
        var env = ServiceEnvVars.FromServices(ServiceEnvVars.Visible(Services, "test2", enableServiceLinks: true)).ToDictionary();
        var expected = Kubernetes("1.2.3.4", 8084);
        foreach (var (k, v) in Test("1.2.3.5", 8085))
        {
            expected[k] = v;
        }

        Assert.Equal(expected, env);
        Assert.Equal(Kubernetes("1.2.3.1", 8081), ServiceEnvVars.FromServices(ServiceEnvVars.Visible(Services, "test2", false)).ToDictionary());
    }

    [Fact]
    public void FromServices_NamedPortsAndProtocols()
    {
        var svc = Service("my-db", "ns", "10.0.0.9", 5432);
        svc.Spec.Ports = [new V1ServicePort { Name = "sql", Port = 5432 }, new V1ServicePort { Name = "dns-udp", Port = 53, Protocol = "UDP" }];
        var env = ServiceEnvVars.FromServices([svc]);
        Assert.Equal(
        [
            new("MY_DB_SERVICE_HOST", "10.0.0.9"),
            new("MY_DB_SERVICE_PORT", "5432"),
            new("MY_DB_SERVICE_PORT_SQL", "5432"),
            new("MY_DB_SERVICE_PORT_DNS_UDP", "53"),
            new("MY_DB_PORT", "tcp://10.0.0.9:5432"),
            new("MY_DB_PORT_5432_TCP", "tcp://10.0.0.9:5432"),
            new("MY_DB_PORT_5432_TCP_PROTO", "tcp"),
            new("MY_DB_PORT_5432_TCP_PORT", "5432"),
            new("MY_DB_PORT_5432_TCP_ADDR", "10.0.0.9"),
            new("MY_DB_PORT_53_UDP", "udp://10.0.0.9:53"),
            new("MY_DB_PORT_53_UDP_PROTO", "udp"),
            new("MY_DB_PORT_53_UDP_PORT", "53"),
            new("MY_DB_PORT_53_UDP_ADDR", "10.0.0.9"),
        ], env);
    }

    internal static Dictionary<string, string> Kubernetes(string ip, int port) => new()
    {
        ["KUBERNETES_SERVICE_HOST"] = ip,
        ["KUBERNETES_SERVICE_PORT"] = $"{port}",
        ["KUBERNETES_PORT"] = $"tcp://{ip}:{port}",
        [$"KUBERNETES_PORT_{port}_TCP"] = $"tcp://{ip}:{port}",
        [$"KUBERNETES_PORT_{port}_TCP_PROTO"] = "tcp",
        [$"KUBERNETES_PORT_{port}_TCP_PORT"] = $"{port}",
        [$"KUBERNETES_PORT_{port}_TCP_ADDR"] = ip,
    };

    private static Dictionary<string, string> Test(string ip, int port) => new()
    {
        ["TEST_SERVICE_HOST"] = ip,
        ["TEST_SERVICE_PORT"] = $"{port}",
        ["TEST_PORT"] = $"tcp://{ip}:{port}",
        [$"TEST_PORT_{port}_TCP"] = $"tcp://{ip}:{port}",
        [$"TEST_PORT_{port}_TCP_PROTO"] = "tcp",
        [$"TEST_PORT_{port}_TCP_PORT"] = $"{port}",
        [$"TEST_PORT_{port}_TCP_ADDR"] = ip,
    };

    private static V1Service Service(string name, string ns, string clusterIp, int port) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, Ports = [new V1ServicePort { Protocol = "TCP", Port = port }] },
    };
}
