using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Endpoints.ServicePods;

namespace Skiff.Controllers.Tests.Endpoints;

public sealed class EndpointsControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["endpoint"]);

    private static IEnumerable<string> Ready(V1Endpoints ep) => (ep.Subsets ?? []).SelectMany(s => s.Addresses ?? []).Select(a => a.TargetRef.Name).Order();

    private static IEnumerable<string> NotReady(V1Endpoints ep) => (ep.Subsets ?? []).SelectMany(s => s.NotReadyAddresses ?? []).Select(a => a.TargetRef.Name).Order();

    [Fact]
    public async Task Addresses_FollowPodReadinessBothWays_NamedPortResolvedPerPod()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "node-a");
        await PodAsync(h, ns, "a", App("web"), "node-a", "10.1.0.1", ready: true);
        await PodAsync(h, ns, "b", App("web"), "node-a", "10.1.0.2", ready: false, containerPort: 9090);
        await PodAsync(h, ns, "other", App("db"), "node-a", "10.1.0.3", ready: true);
        await ServiceAsync(h, ns, "web", "web");
        var endpoints = h.Clientset.CoreV1().Endpoints(ns);

        var list = await ListWatch.UntilAsync(endpoints, l => l.Any(e => e.Metadata.Name == "web" && Ready(e).SequenceEqual(["a"]) && NotReady(e).SequenceEqual(["b"])));
        var ep = list.Single(e => e.Metadata.Name == "web");
        Assert.Equal("blue", ep.Metadata.Labels["team"]);
        Assert.False(ep.Metadata.Labels.ContainsKey("service.kubernetes.io/headless"));
        Assert.True(ep.Metadata.Annotations.ContainsKey("endpoints.kubernetes.io/last-change-trigger-time"));
        var all = ep.Subsets.SelectMany(s => (s.Addresses ?? []).Concat(s.NotReadyAddresses ?? []).Select(a => (Pod: a.TargetRef.Name, a.Ip, a.NodeName, Port: s.Ports.Single().Port, PortName: s.Ports.Single().Name))).OrderBy(x => x.Pod);
        Assert.Equal([("a", "10.1.0.1", "node-a", 8080, "web"), ("b", "10.1.0.2", "node-a", 9090, "web")], all);

        await SetReadyAsync(h, ns, "b", true);
        await ListWatch.UntilAsync(endpoints, l => l.Any(e => e.Metadata.Name == "web" && Ready(e).SequenceEqual(["a", "b"]) && !NotReady(e).Any()));

        await SetReadyAsync(h, ns, "a", false);
        await ListWatch.UntilAsync(endpoints, l => l.Any(e => e.Metadata.Name == "web" && Ready(e).SequenceEqual(["b"]) && NotReady(e).SequenceEqual(["a"])));

        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("b", new Skiff.Client.Options.DeleteOptions { GracePeriodSeconds = 0 });
        await ListWatch.UntilAsync(endpoints, l => l.Any(e => e.Metadata.Name == "web" && !Ready(e).Any() && NotReady(e).SequenceEqual(["a"])));

        // The Endpoints object goes with its service.
        await h.Clientset.CoreV1().Services(ns).DeleteAsync("web");
        await ListWatch.UntilAsync(endpoints, l => l.All(e => e.Metadata.Name != "web"));
    }

    [Fact]
    public async Task PublishNotReadyAddresses_HeadlessWithHostnames_AndSelectorlessServiceLeftAlone()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "node-a");
        await PodAsync(h, ns, "db-0", App("db"), "node-a", "10.2.0.1", ready: false, hostname: "db-0", subdomain: "db");
        await ServiceAsync(h, ns, "db", "db", targetPort: "8080", publishNotReady: true, headless: true);
        await h.Clientset.CoreV1().Services(ns).CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "external" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        });
        await h.Clientset.CoreV1().Endpoints(ns).CreateAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "external" },
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "192.0.2.1" }], Ports = [new Corev1EndpointPort { Port = 80 }] }],
        });

        var list = await ListWatch.UntilAsync(h.Clientset.CoreV1().Endpoints(ns), l => l.Any(e => e.Metadata.Name == "db" && Ready(e).SequenceEqual(["db-0"])));
        var db = list.Single(e => e.Metadata.Name == "db");
        var address = db.Subsets.Single().Addresses.Single();
        Assert.Equal(("db-0", 8080), (address.Hostname, db.Subsets.Single().Ports.Single().Port));
        Assert.Equal("", db.Metadata.Labels["service.kubernetes.io/headless"]);

        // The selector-less service's hand-written Endpoints stay as written.
        var external = await h.Clientset.CoreV1().Endpoints(ns).GetAsync("external");
        Assert.Equal("192.0.2.1", external.Subsets.Single().Addresses.Single().Ip);
        Assert.Null(external.Metadata.Labels);
    }

    [Fact]
    public async Task MoreThanAThousandAddresses_AreTruncatedAndAnnotated()
    {
        var subsets = new List<V1EndpointSubset>
        {
            new()
            {
                Addresses = [.. Enumerable.Range(0, 900).Select(i => new V1EndpointAddress { Ip = $"10.0.{i / 250}.{i % 250}" })],
                NotReadyAddresses = [.. Enumerable.Range(0, 300).Select(i => new V1EndpointAddress { Ip = $"10.9.{i / 250}.{i % 250}" })],
            },
        };
        Assert.True(global::Skiff.Controllers.Endpoints.EndpointSubsets.Truncate(subsets));
        Assert.Equal((900, 100), (subsets[0].Addresses.Count, subsets[0].NotReadyAddresses.Count));
        Assert.False(global::Skiff.Controllers.Endpoints.EndpointSubsets.CapacityAnnotationCorrect(null, [new V1EndpointSubset { Addresses = [.. Enumerable.Range(0, 1001).Select(_ => new V1EndpointAddress())] }]));
    }
}
