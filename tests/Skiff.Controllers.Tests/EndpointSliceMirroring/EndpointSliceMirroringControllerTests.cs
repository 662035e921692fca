using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.EndpointSliceMirroring;

public sealed class EndpointSliceMirroringControllerTests
{
    [Fact]
    public async Task SelectorlessServiceEndpoints_AreMirrored_FollowChanges_AndSkipMirrorRemovesThem()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["endpoint", "endpointslice", "endpointslicemirroring"]));
        var ns = await h.NamespaceAsync();
        await h.Clientset.CoreV1().Services(ns).CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "ext" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "db", Port = 5432 }] },
        });
        var endpoints = h.Clientset.CoreV1().Endpoints(ns);
        var ep = await endpoints.CreateAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "ext", Labels = new Dictionary<string, string> { ["team"] = "data" } },
            Subsets =
            [
                new V1EndpointSubset
                {
                    Addresses = [new V1EndpointAddress { Ip = "192.0.2.10", Hostname = "primary" }],
                    NotReadyAddresses = [new V1EndpointAddress { Ip = "192.0.2.11" }],
                    Ports = [new Corev1EndpointPort { Name = "db", Port = 5432, Protocol = "TCP" }],
                },
            ],
        });
        var slices = h.Clientset.Resource<V1EndpointSlice, V1EndpointSliceList>(ns);
        var options = new Skiff.Client.Options.ListOptions { LabelSelector = "kubernetes.io/service-name=ext" };

        var list = await ListWatch.UntilAsync(slices, l => l.Sum(s => s.Endpoints?.Count ?? 0) == 2, options: options);
        var slice = Assert.Single(list);
        Assert.Equal("endpointslicemirroring-controller.k8s.io", slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("data", slice.Metadata.Labels["team"]);
        var owner = Assert.Single(slice.Metadata.OwnerReferences);
        Assert.Equal(("Endpoints", "ext", ep.Metadata.Uid), (owner.Kind, owner.Name, owner.Uid));
        Assert.Equal(("db", 5432), (slice.Ports.Single().Name, slice.Ports.Single().Port));
        var primary = slice.Endpoints.Single(e => e.Addresses.Single() == "192.0.2.10");
        Assert.Equal((true, "primary"), (primary.Conditions.Ready, primary.Hostname));
        Assert.False(slice.Endpoints.Single(e => e.Addresses.Single() == "192.0.2.11").Conditions.Ready);

        ep = await endpoints.GetAsync("ext");
        ep.Subsets[0].NotReadyAddresses = null;
        ep = await endpoints.UpdateAsync(ep);
        await ListWatch.UntilAsync(slices, l => l.Sum(s => s.Endpoints?.Count ?? 0) == 1, options: options);

        ep.Metadata.Labels["endpointslice.kubernetes.io/skip-mirror"] = "true";
        await endpoints.UpdateAsync(ep);
        await ListWatch.UntilAsync(slices, l => l.Count == 0, options: options);
    }
}
