using k8s.Models;
using Skiff.Controllers.EndpointSlice;
using Xunit;

namespace Skiff.Controllers.Tests.EndpointSlice;

public sealed class SliceReconcilerTests
{
    private static readonly List<Discoveryv1EndpointPort> Ports = [new() { Name = "web", Port = 8080, Protocol = "TCP" }];

    private static V1Endpoint Ep(int i, bool ready = true) => new()
    {
        Addresses = [$"10.0.{i / 200}.{i % 200}"],
        Conditions = new V1EndpointConditions { Ready = ready, Serving = ready, Terminating = false },
        TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = "ns", Name = $"p{i}", Uid = $"u{i}" },
    };

    private static V1EndpointSlice Slice(string name, IEnumerable<V1Endpoint> endpoints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, ResourceVersion = "1" },
        AddressType = "IPv4",
        Ports = Ports,
        Endpoints = [.. endpoints],
    };

    private static SliceReconciler.Plan Run(int max, IEnumerable<V1Endpoint> desired, params V1EndpointSlice[] existing) =>
        new SliceReconciler(max).Reconcile([new SliceReconciler.Desired(Ports, [.. desired])], existing, _ => true,
            p => new V1EndpointSlice { Metadata = new V1ObjectMeta { GenerateName = "svc-" }, AddressType = "IPv4", Ports = p, Endpoints = [] }, _ => false);

    [Fact]
    public void FromNothing_FullSlicesThenARemainder()
    {
        var plan = Run(100, Enumerable.Range(0, 250).Select(i => Ep(i)));
        Assert.Equal([100, 100, 50], plan.Create.Select(s => s.Endpoints.Count));
        Assert.Empty(plan.Update);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void NothingChanged_NoWrites()
    {
        Assert.True(Run(100, Enumerable.Range(0, 3).Select(i => Ep(i)), Slice("s1", Enumerable.Range(0, 3).Select(i => Ep(i)))).IsEmpty);
    }

    [Fact]
    public void OneEndpointChanged_OnlyItsSliceUpdated_NewOnesFillExistingSlicesBeforeCreating()
    {
        var s1 = Slice("s1", Enumerable.Range(0, 100).Select(i => Ep(i)));
        var s2 = Slice("s2", Enumerable.Range(100, 40).Select(i => Ep(i)));
        var desired = Enumerable.Range(0, 150).Select(i => Ep(i, ready: i != 120));
        var plan = Run(100, desired, s1, s2);
        Assert.Empty(plan.Create);
        Assert.Empty(plan.Delete);
        var updated = Assert.Single(plan.Update);
        Assert.Equal("s2", updated.Metadata.Name);
        Assert.Equal(50, updated.Endpoints.Count);
        Assert.False(updated.Endpoints.Single(e => e.TargetRef.Name == "p120").Conditions.Ready);
    }

    [Fact]
    public void EmptiedSlice_IsReusedForANewPortList_AndNoEndpointsLeavesOnePlaceholder()
    {
        var old = Slice("s1", [Ep(1)]);
        var otherPorts = new List<Discoveryv1EndpointPort> { new() { Name = "web", Port = 9090, Protocol = "TCP" } };
        var plan = new SliceReconciler(100).Reconcile([new SliceReconciler.Desired(otherPorts, [Ep(1)])], [old], _ => true,
            p => new V1EndpointSlice { Metadata = new V1ObjectMeta { GenerateName = "svc-" }, AddressType = "IPv4", Ports = p, Endpoints = [] }, _ => false);
        Assert.Empty(plan.Create);
        Assert.Empty(plan.Delete);
        Assert.Equal(("s1", 9090), (plan.Update.Single().Metadata.Name, plan.Update.Single().Ports.Single().Port));

        var none = Run(100, [], old);
        var placeholder = Assert.Single(none.Update);
        Assert.Equal("s1", placeholder.Metadata.Name);
        Assert.Empty(placeholder.Endpoints);
        Assert.Empty(placeholder.Ports);
    }
}
