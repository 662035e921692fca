using k8s.Models;
using Skiff.Client.Options;

namespace Skiff.Testing.Tests;

/// <summary>With the controller manager on: garbage collection and namespace deletion, as upstream's controllers do them.</summary>
public sealed class ControllersTests
{
    [Fact]
    public async Task WithControllers_GarbageCollectorDeletesDependents_NamespaceControllerEmptiesNamespaces()
    {
        await using var cluster = await SkiffTestCluster.StartAsync(o => o.WithControllers("garbagecollector", "namespace"));
        Assert.Equal(["garbagecollector", "namespace"], cluster.RunningControllers.Order(StringComparer.Ordinal));
        var ns = await cluster.CreateNamespaceAsync("gc");
        var configMaps = cluster.Clientset.CoreV1().ConfigMaps(ns);
        var owner = await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } });
        await configMaps.CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "dependent",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }],
            },
        });

        await configMaps.DeleteAsync("owner");
        await ListWatch.UntilAsync(configMaps, items => items.All(c => c.Metadata.Name != "dependent"));

        await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "left-behind" } });
        await cluster.Clientset.CoreV1().Namespaces().DeleteAsync(ns);
        var namespaces = cluster.Clientset.CoreV1().Namespaces();
        await ListWatch.UntilAsync(namespaces, items => items.All(n => n.Metadata.Name != ns));
        Assert.Empty((await configMaps.ListAsync()).Items);
    }

    [Fact]
    public async Task WithSchedulerAndHollowNodes_APodIsScheduledOntoAHollowNodeAndRuns()
    {
        await using var cluster = await SkiffTestCluster.StartAsync(o => o.WithScheduler().WithHollowNodes(2));
        Assert.Equal(2, (await cluster.Clientset.CoreV1().Nodes().ListAsync()).Items.Count);
        var pods = cluster.Clientset.CoreV1().Pods("default");

        await pods.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
        });

        var running = await ListWatch.UntilAsync(pods, items => items.Any(p => p.Metadata.Name == "web" && p.Status?.Phase == "Running"),
            options: new ListOptions { FieldSelector = "metadata.name=web" });
        Assert.StartsWith("hollow-", running.Single().Spec.NodeName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithControllers_UnknownName_FailsLikeUpstreamsFlag()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => SkiffTestCluster.StartAsync(o => o.WithControllers("no-such-controller")));

        Assert.Contains("\"no-such-controller\" is not in the list of known controllers", e.Message, StringComparison.Ordinal);
    }
}
