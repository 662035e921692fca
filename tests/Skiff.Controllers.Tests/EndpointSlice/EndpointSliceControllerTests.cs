using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Endpoints.ServicePods;

namespace Skiff.Controllers.Tests.EndpointSlice;

public sealed class EndpointSliceControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["endpoint", "endpointslice"]);

    private static Skiff.Client.Options.ListOptions For(string svc) => new() { LabelSelector = "kubernetes.io/service-name=" + svc };

    private static List<V1Endpoint> All(IEnumerable<V1EndpointSlice> slices) => [.. slices.SelectMany(s => s.Endpoints ?? [])];

    [Fact]
    public async Task Slice_FollowsReadinessBothWays_TerminatingKept_DeletedPodLeaves()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "node-z", zone: "zone-1");
        await PodAsync(h, ns, "a", App("web"), "node-z", "10.1.0.1", ready: true);
        await PodAsync(h, ns, "b", App("web"), "node-z", "10.1.0.2", ready: false);
        var svc = await ServiceAsync(h, ns, "web", "web");
        var slices = h.Clientset.Resource<V1EndpointSlice, V1EndpointSliceList>(ns);
        bool Is(IEnumerable<V1EndpointSlice> l, string pod, bool ready) => All(l).Any(e => e.TargetRef.Name == pod && e.Conditions.Ready == ready);

        var list = await ListWatch.UntilAsync(slices, l => Is(l, "a", true) && Is(l, "b", false), options: For("web"));
        var slice = Assert.Single(list);
        Assert.StartsWith("web-", slice.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal("endpointslice-controller.k8s.io", slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("blue", slice.Metadata.Labels["team"]);
        var owner = Assert.Single(slice.Metadata.OwnerReferences);
        Assert.Equal(("Service", "web", svc.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));
        var port = Assert.Single(slice.Ports);
        Assert.Equal(("web", 8080, "TCP"), (port.Name, port.Port, port.Protocol));
        var a = slice.Endpoints.Single(e => e.TargetRef.Name == "a");
        Assert.Equal(("10.1.0.1", "node-z", "zone-1", true, false), (string.Join(",", a.Addresses), a.NodeName, a.Zone, a.Conditions.Serving, a.Conditions.Terminating));

        await SetReadyAsync(h, ns, "b", true);
        await ListWatch.UntilAsync(slices, l => Is(l, "a", true) && Is(l, "b", true), options: For("web"));
        await SetReadyAsync(h, ns, "a", false);
        await ListWatch.UntilAsync(slices, l => Is(l, "a", false) && Is(l, "b", true), options: For("web"));

        // A terminating pod stays, not ready but still serving; once gone it leaves its slice.
        await SetReadyAsync(h, ns, "a", true);
        await ListWatch.UntilAsync(slices, l => Is(l, "a", true), options: For("web"));
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("a", new Skiff.Client.Options.DeleteOptions { GracePeriodSeconds = 30 });
        list = await ListWatch.UntilAsync(slices, l => All(l).Any(e => e.TargetRef.Name == "a" && e.Conditions.Terminating == true), options: For("web"));
        var terminating = All(list).Single(e => e.TargetRef.Name == "a");
        Assert.Equal((false, true), (terminating.Conditions.Ready, terminating.Conditions.Serving));
        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("a", new Skiff.Client.Options.DeleteOptions { GracePeriodSeconds = 0 });
        list = await ListWatch.UntilAsync(slices, l => All(l).All(e => e.TargetRef.Name != "a"), options: For("web"));
        Assert.Equal(["b"], All(list).Select(e => e.TargetRef.Name));
    }

    [Fact]
    public async Task TwoHundredFiftyPods_ThreeSlicesOfAtMostAHundred_PublishNotReady()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "node-a");
        await Parallel.ForEachAsync(Enumerable.Range(0, 250), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await PodAsync(h, ns, $"p{i}", App("big"), "node-a", $"10.3.{i / 200}.{i % 200 + 1}", ready: i % 2 == 0));
        await ServiceAsync(h, ns, "big", "big", publishNotReady: true);
        var slices = h.Clientset.Resource<V1EndpointSlice, V1EndpointSliceList>(ns);

        var list = await ListWatch.UntilAsync(slices, l => All(l).Count == 250, options: For("big"));
        Assert.Equal(3, list.Count);
        Assert.All(list, s => Assert.InRange(s.Endpoints.Count, 1, 100));
        Assert.Equal(250, All(list).Select(e => e.TargetRef.Name).Distinct().Count());
        Assert.All(All(list), e => Assert.True(e.Conditions.Ready));
    }

    [Fact]
    public async Task RealKubectl_GetsSlicesByServiceName_AndDescribeShowsTheEndpoints()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        await NodeAsync(h, "node-a");
        await PodAsync(h, ns, "a", App("web"), "node-a", "10.4.0.1", ready: true);
        await PodAsync(h, ns, "b", App("web"), "node-a", "10.4.0.2", ready: true);
        await ServiceAsync(h, ns, "x", "web");
        await ListWatch.UntilAsync(h.Clientset.Resource<V1EndpointSlice, V1EndpointSliceList>(ns), l => All(l).Count == 2, options: For("x"));
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Endpoints(ns), l => l.Any(e => e.Subsets?.Sum(s => s.Addresses?.Count ?? 0) == 2));

        var get = await h.Kubectl.OkAsync("get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=x");
        Assert.Matches(@"x-\w+\s+IPv4\s+8080\s+10\.4\.0\.1,10\.4\.0\.2", get);
        var describe = await h.Kubectl.OkAsync("describe", "svc", "x", "-n", ns);
        Assert.Matches(@"Endpoints:\s+10\.4\.0\.1:8080,10\.4\.0\.2:8080", describe);
    }
}
