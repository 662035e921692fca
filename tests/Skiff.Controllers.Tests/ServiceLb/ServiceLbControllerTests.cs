using k8s.Models;
using Skiff.Controllers.ServiceLb;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.ServiceLb;

public sealed class ServiceLbControllerTests
{
    [Fact]
    public async Task LoadBalancerGetsTheReadyNodesAddressesFollowsNodesAndIsClearedWhenNoLongerALoadBalancer()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["servicelb"]));
        await h.Clientset.CoreV1().Nodes().CreateAsync(Node("n1", "192.0.2.11", ready: true));
        await h.Clientset.CoreV1().Nodes().CreateAsync(Node("hollow-0", "10.99.0.1", ready: true, hollow: true));
        var ns = await h.NamespaceAsync();
        await h.Kubectl.OkAsync("create", "service", "loadbalancer", "web", "--tcp=80:8080", "-n", ns);
        await h.Kubectl.OkAsync("create", "service", "clusterip", "plain", "--tcp=80:8080", "-n", ns);
        var services = h.Clientset.CoreV1().Services(ns);

        await ListWatch.UntilAsync(services, l => Ingress(l, "web") == "192.0.2.11");
        Assert.Equal("192.0.2.11", await h.Kubectl.OkAsync("get", "svc", "web", "-n", ns, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"));

        // A second node becomes Ready: both, sorted.
        var n2 = await h.Clientset.CoreV1().Nodes().CreateAsync(Node("n2", "192.0.2.10", ready: false));
        n2.Status.Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }];
        await h.Clientset.CoreV1().Nodes().UpdateStatusAsync(n2);
        await ListWatch.UntilAsync(services, l => Ingress(l, "web") == "192.0.2.10,192.0.2.11");

        // No longer a LoadBalancer: cleared. The ClusterIP service never got one.
        await h.Kubectl.OkAsync("patch", "svc", "web", "-n", ns, "--type=merge", "-p", """{"spec":{"type":"ClusterIP"}}""");
        var final = await ListWatch.UntilAsync(services, l => Ingress(l, "web") == "");
        Assert.Equal("", Ingress(final, "plain"));
    }

    [Fact]
    public void NodeAddressesPreferExternalIpsAndSkipNotReadyAndHollowNodes()
    {
        var external = Node("e", "10.1.0.1", ready: true);
        external.Status.Addresses.Add(new V1NodeAddress { Type = "ExternalIP", Address = "203.0.113.5" });
        Assert.Equal(["10.1.0.2", "203.0.113.5"], ServiceLbController.NodeAddresses(
            [external, Node("i", "10.1.0.2", ready: true), Node("down", "10.1.0.3", ready: false), Node("h", "10.1.0.4", ready: true, hollow: true)]));
    }

    private static string Ingress(IReadOnlyList<V1Service> list, string name) =>
        string.Join(',', (list.Single(s => s.Metadata.Name == name).Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip));

    private static V1Node Node(string name, string ip, bool ready, bool hollow = false) => new()
    {
        Metadata = new() { Name = name, Labels = hollow ? new Dictionary<string, string> { [ServiceLbController.HollowNodeLabel] = "true" } : null },
        Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = ip }],
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };
}
