using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.GarbageCollector;

public sealed class GarbageCollectorTests(GarbageCollectorFixture f) : IClassFixture<GarbageCollectorFixture>
{
    private ControllerHarness H => f.H;

    [Theory]
    [InlineData("background", true)]
    [InlineData("background", false)]
    [InlineData("foreground", true)]
    [InlineData("foreground", false)]
    [InlineData("orphan", true)]
    [InlineData("orphan", false)]
    public async Task KubectlDelete_EachCascadeMode_BehavesAsUpstream(string cascade, bool wait)
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        var owner = await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "owner" } });
        var dependents = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var d = await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = $"dep{i}", OwnerReferences = [Ref(owner, block: i % 2 == 0)] } });
            dependents.Add(d.Metadata.Name);
        }

        dependents.Add("dep4");
        await ObservedDependentAsync(cms, "dep4", owner);

        var (exit, _, err) = await H.Kubectl.RunAsync(["delete", "cm", "owner", "-n", ns, "--cascade=" + cascade, "--wait=" + (wait ? "true" : "false")]);
        Assert.True(exit == 0, err);
        var now = (await cms.ListAsync()).Items;
        if (wait)
        {
            Assert.DoesNotContain(now, c => c.Metadata.Name == "owner");
        }

        switch (cascade)
        {
            case "orphan":
                var left = await ListWatch.UntilAsync(cms, l => l.All(c => c.Metadata.Name != "owner"));
                Assert.Equal(dependents, left.Select(c => c.Metadata.Name).Order());
                Assert.All(left, c => Assert.Empty(c.Metadata.OwnerReferences ?? []));
                break;
            case "foreground" when wait:
                // The owner went only after the dependents that block it.
                Assert.DoesNotContain(now, c => c.Metadata.Name is "dep0" or "dep2");
                await ListWatch.UntilAsync(cms, l => l.Count == 0);
                break;
            default:
                await ListWatch.UntilAsync(cms, l => l.Count == 0);
                break;
        }
    }

    [Fact]
    public async Task Foreground_WaitsForBlockingDependents_NotForOthers()
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        var owner = await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "owner" } });
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "held", Finalizers = ["example.com/hold"], OwnerReferences = [Ref(owner, block: true)] } });
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "free", OwnerReferences = [Ref(owner, block: false)] } });

        await H.Kubectl.OkAsync("delete", "cm", "owner", "-n", ns, "--cascade=foreground", "--wait=false");
        var state = await ListWatch.UntilAsync(cms, l => l.All(c => c.Metadata.Name != "free")
            && l.Any(c => c.Metadata.Name == "held" && c.Metadata.DeletionTimestamp is not null));

        // The blocking dependent is still there (its own finalizer holds it), so the owner waits with foregroundDeletion.
        var waiting = state.Single(c => c.Metadata.Name == "owner");
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", waiting.Metadata.Finalizers);

        await H.Kubectl.OkAsync("patch", "cm", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        await ListWatch.UntilAsync(cms, l => l.Count == 0);
    }

    [Fact]
    public async Task Foreground_DependentStopsBlocking_OwnerGoesFirst()
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        var owner = await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "owner" } });
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "held", Finalizers = ["example.com/hold"], OwnerReferences = [Ref(owner, block: true)] } });

        await H.Kubectl.OkAsync("delete", "cm", "owner", "-n", ns, "--cascade=foreground", "--wait=false");
        await ListWatch.UntilAsync(cms, l => l.Any(c => c.Metadata.Name == "held" && c.Metadata.DeletionTimestamp is not null));

        // The dependent no longer blocks its owner: the owner finishes while the dependent is still held.
        await H.Kubectl.OkAsync("patch", "cm", "held", "-n", ns, "--type=json", "-p", """[{"op":"replace","path":"/metadata/ownerReferences/0/blockOwnerDeletion","value":false}]""");
        var left = await ListWatch.UntilAsync(cms, l => l.All(c => c.Metadata.Name != "owner"));
        Assert.Equal(["held"], left.Select(c => c.Metadata.Name));

        await H.Kubectl.OkAsync("patch", "cm", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        await ListWatch.UntilAsync(cms, l => l.Count == 0);
    }

    [Fact]
    public async Task ReplicationController_DeleteWithoutPolicy_OrphansPods()
    {
        var ns = await H.NamespaceAsync("gc");
        var rc = await H.Clientset.Resource<V1ReplicationController, V1ReplicationControllerList>(ns).CreateAsync(new V1ReplicationController
        {
            Metadata = new() { Name = "rc" },
            Spec = new V1ReplicationControllerSpec { Replicas = 0, Selector = new Dictionary<string, string> { ["app"] = "web" }, Template = Template() },
        });
        var pods = H.Clientset.CoreV1().Pods(ns);
        await pods.CreateAsync(new V1Pod
        {
            Metadata = new()
            {
                Name = "p",
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                OwnerReferences = [ControllerRef("v1", "ReplicationController", rc.Metadata), Owner("v1", "ConfigMap", "gone", Guid.NewGuid().ToString())],
            },
            Spec = Template().Spec,
        });

        // The collector dropping the dangling reference proves its graph holds the pod before the owner goes.
        await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.OwnerReferences?.Count == 1));

        // No propagation policy: core/v1 replicationcontrollers orphan by default.
        await H.Dynamic.Resource(new("", "v1", "replicationcontrollers")).Namespace(ns).DeleteAsync("rc");
        await ListWatch.UntilAsync(H.Clientset.Resource<V1ReplicationController, V1ReplicationControllerList>(ns), l => l.Count == 0);
        var left = (await pods.ListAsync()).Items;
        Assert.Equal(["p"], left.Select(p => p.Metadata.Name));
        Assert.Empty(left[0].Metadata.OwnerReferences ?? []);
    }

    [Fact]
    public async Task DanglingOwner_DependentDeleted()
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(new V1ConfigMap
        {
            Metadata = new() { Name = "orphaned", OwnerReferences = [Owner("v1", "ConfigMap", "never-existed", Guid.NewGuid().ToString())] },
        });
        await ListWatch.UntilAsync(cms, l => l.All(c => c.Metadata.Name != "orphaned"));
    }

    [Fact]
    public async Task UidMismatchedOwner_DependentDeleted_OwnerKept()
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "real" } });
        await cms.CreateAsync(new V1ConfigMap
        {
            Metadata = new() { Name = "impostor-child", OwnerReferences = [Owner("v1", "ConfigMap", "real", Guid.NewGuid().ToString())] },
        });
        var left = await ListWatch.UntilAsync(cms, l => l.All(c => c.Metadata.Name != "impostor-child"));
        Assert.Contains(left, c => c.Metadata.Name == "real");
    }

    [Fact]
    public async Task SolidAndDanglingOwners_OnlyDanglingReferenceRemoved()
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        var owner = await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "owner" } });
        var gone = Owner("v1", "ConfigMap", "gone", Guid.NewGuid().ToString());
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "child", OwnerReferences = [Ref(owner, block: false), gone] } });
        var state = await ListWatch.UntilAsync(cms, l => l.Any(c => c.Metadata.Name == "child" && c.Metadata.OwnerReferences?.Count == 1));
        Assert.Equal(owner.Metadata.Uid, state.Single(c => c.Metadata.Name == "child").Metadata.OwnerReferences.Single().Uid);
    }

    [Theory]
    [InlineData("foreground")]
    [InlineData("background")]
    public async Task ClusterScopedOwner_NamespacedDependents(string cascade)
    {
        var ns = await H.NamespaceAsync("gc");
        var cms = H.Clientset.CoreV1().ConfigMaps(ns);
        var roleName = $"gc-owner-{ns}";
        await H.Kubectl.OkAsync("create", "clusterrole", roleName, "--verb=get", "--resource=pods");
        var uid = await H.Kubectl.OkAsync("get", "clusterrole", roleName, "-o", "jsonpath={.metadata.uid}");
        var roleRef = Owner("rbac.authorization.k8s.io/v1", "ClusterRole", roleName, uid, blockOwnerDeletion: true);
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "blocking", OwnerReferences = [roleRef] } });
        var dangling = Owner("v1", "ConfigMap", "gone", Guid.NewGuid().ToString());
        await cms.CreateAsync(new V1ConfigMap
        {
            Metadata = new() { Name = "mixed", OwnerReferences = [Owner(roleRef.ApiVersion, roleRef.Kind, roleName, uid), dangling] },
        });

        // The cluster-scoped owner is solid for its namespaced dependent: only the dangling reference goes.
        await ListWatch.UntilAsync(cms, l => l.Any(c => c.Metadata.Name == "mixed" && c.Metadata.OwnerReferences?.Count == 1));
        Assert.Equal(2, (await cms.ListAsync()).Items.Count);

        await H.Kubectl.OkAsync("delete", "clusterrole", roleName, "--cascade=" + cascade);
        if (cascade == "foreground")
        {
            Assert.DoesNotContain((await cms.ListAsync()).Items, c => c.Metadata.Name == "blocking");
        }

        await ListWatch.UntilAsync(cms, l => l.Count == 0);
    }

    [Fact]
    public async Task DeploymentChain_ForegroundWithWait_DeletesReplicaSetsAndPodsFirst()
    {
        var ns = await H.NamespaceAsync("gc");
        var deployment = await H.Clientset.AppsV1().Deployments(ns).CreateAsync(new V1Deployment
        {
            Metadata = new() { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = Template(),
            },
        });
        var rs = await H.Clientset.AppsV1().ReplicaSets(ns).CreateAsync(new V1ReplicaSet
        {
            Metadata = new() { Name = "web-1", OwnerReferences = [ControllerRef(deployment.ApiVersion, deployment.Kind, deployment.Metadata), Owner("v1", "ConfigMap", "gone", Guid.NewGuid().ToString())] },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = Template(),
            },
        });
        var pods = H.Clientset.CoreV1().Pods(ns);
        for (var i = 0; i < 3; i++)
        {
            await pods.CreateAsync(new V1Pod
            {
                Metadata = new()
                {
                    Name = $"web-1-{i}",
                    Labels = new Dictionary<string, string> { ["app"] = "web" },
                    OwnerReferences = i < 2 ? [ControllerRef(rs.ApiVersion, rs.Kind, rs.Metadata)] : [ControllerRef(rs.ApiVersion, rs.Kind, rs.Metadata), Owner("v1", "ConfigMap", "gone", Guid.NewGuid().ToString())],
                },
                Spec = Template().Spec,
            });
        }

        // The collector dropping the dangling references proves its graph holds the ReplicaSet and every pod.
        await ListWatch.UntilAsync(H.Clientset.AppsV1().ReplicaSets(ns), l => l.All(r => r.Metadata.OwnerReferences?.Count == 1));
        await ListWatch.UntilAsync(pods, l => l.All(p => p.Metadata.OwnerReferences?.Count == 1));

        await H.Kubectl.OkAsync("delete", "deployment", "web", "-n", ns, "--cascade=foreground");
        Assert.Empty((await H.Clientset.AppsV1().ReplicaSets(ns).ListAsync()).Items);
        Assert.Empty((await pods.ListAsync()).Items);
    }

    /// <summary>
    /// Creates <paramref name="name"/> as a dependent of <paramref name="owner"/> that also names a dangling owner, and
    /// waits until the collector has dropped that reference: from then on its graph holds this dependent (and every
    /// dependent created before it), so a cascade cannot race the collector's informers.
    /// </summary>
    private static async Task ObservedDependentAsync(Skiff.Client.Typed.ResourceClient<V1ConfigMap, V1ConfigMapList> cms, string name, V1ConfigMap owner)
    {
        await cms.CreateAsync(new V1ConfigMap
        {
            Metadata = new() { Name = name, OwnerReferences = [Ref(owner, block: false), Owner("v1", "ConfigMap", "gone", Guid.NewGuid().ToString())] },
        });
        await ListWatch.UntilAsync(cms, l => l.Any(c => c.Metadata.Name == name && c.Metadata.OwnerReferences?.Count == 1));
    }

    private static V1OwnerReference Ref(V1ConfigMap owner, bool block)
        => Owner("v1", "ConfigMap", owner.Metadata.Name, owner.Metadata.Uid, blockOwnerDeletion: block);

    private static V1OwnerReference ControllerRef(string apiVersion, string kind, V1ObjectMeta meta)
        => Owner(apiVersion ?? "", kind ?? "", meta.Name, meta.Uid, blockOwnerDeletion: true, controller: true);

    private static V1OwnerReference Owner(string apiVersion, string kind, string name, string uid, bool? blockOwnerDeletion = null, bool? controller = null)
        => new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = uid, BlockOwnerDeletion = blockOwnerDeletion, Controller = controller };

    private static V1PodTemplateSpec Template() => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };
}
