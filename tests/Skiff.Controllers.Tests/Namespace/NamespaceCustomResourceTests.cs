using System.Text.Json.Nodes;
using Skiff.Client.Schema;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.Namespace;

/// <summary>
/// Custom resources are found through discovery: a namespace holding them deletes cleanly, and the garbage
/// collector deletes the dependents of a deleted custom resource, for a CRD created after the controllers started.
/// </summary>
public sealed class NamespaceCustomResourceTests
{
    private static readonly GroupVersionResource Crds = new("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    private static readonly GroupVersionResource Gadgets = new("ns.example.com", "v1", "gadgets");

    [Fact]
    public async Task DeleteNamespace_HoldingCustomResources_LeavesNothing()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["namespace"]));
        await EstablishAsync(h);
        var ns = await h.NamespaceAsync("cr");
        for (var i = 0; i < 5; i++)
        {
            await h.Dynamic.Resource(Gadgets).Namespace(ns).CreateAsync(Gadget($"g{i}"));
        }

        var (exit, _, err) = await h.Kubectl.RunAsync(["delete", "ns", ns, "--wait=true"], timeout: TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, err);

        Assert.DoesNotContain((await h.Clientset.CoreV1().Namespaces().ListAsync()).Items, n => n.Metadata.Name == ns);
        Assert.Empty((await h.Dynamic.Resource(Gadgets).Namespace(ns).ListAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task GarbageCollector_DeletesDependentsOfADeletedCustomResource()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["garbagecollector"]));
        await EstablishAsync(h);
        var ns = await h.NamespaceAsync("gc");
        var owner = await h.Dynamic.Resource(Gadgets).Namespace(ns).CreateAsync(Gadget("owner"));
        var cms = h.Clientset.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(new k8s.Models.V1ConfigMap
        {
            Metadata = new()
            {
                Name = "dependent",
                OwnerReferences = [new() { ApiVersion = "ns.example.com/v1", Kind = "Gadget", Name = "owner", Uid = owner["metadata"]!["uid"]!.GetValue<string>() }],
            },
        });

        await h.Dynamic.Resource(Gadgets).Namespace(ns).DeleteAsync("owner");

        await ListWatch.UntilAsync(cms, l => l.All(c => c.Metadata.Name != "dependent"), TimeSpan.FromSeconds(20));
    }

    private static async Task EstablishAsync(ControllerHarness h)
    {
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.ns.example.com"},
             "spec":{"group":"ns.example.com","scope":"Namespaced","names":{"plural":"gadgets","kind":"Gadget"},
               "versions":[{"name":"v1","served":true,"storage":true,
                 "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """)!.AsObject();
        await h.Dynamic.Resource(Crds).CreateAsync(crd);
        await h.Kubectl.OkAsync("wait", "--for=condition=Established", "crd/gadgets.ns.example.com", "--timeout=30s");
    }

    private static JsonObject Gadget(string name) => new()
    {
        ["apiVersion"] = "ns.example.com/v1",
        ["kind"] = "Gadget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["size"] = 1 },
    };
}
