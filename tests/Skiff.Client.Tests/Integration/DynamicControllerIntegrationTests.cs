using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Dynamic;
using Skiff.Client.Events;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Schema;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>
/// A controller reconciling a custom resource with no CLR class (<c>For(gvr)</c> over <see cref="DynamicObject"/>s),
/// built with the reconciler helpers, and the merged informer factory resolving a custom resource's scope, against the
/// real in-process API server with CRDs.
/// </summary>
public sealed class DynamicControllerIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private const string Group = "sdk.example.com";
    private const string Finalizer = "sdk.example.com/cleanup";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly GroupVersionResource Gadgets = new(Group, "v1", "gadgets");
    private static readonly GroupVersionResource Fleets = new(Group, "v1", "fleets");
    private static readonly SemaphoreSlim CrdsOnce = new(1, 1);
    private static bool _crds;

    /// <summary>Keeps a ConfigMap "&lt;gadget&gt;-config" with the gadget's spec.size, a finalizer, a Ready condition and an event.</summary>
    private sealed class GadgetReconciler(Clientset cs, DynamicClient dynamic, Lister<DynamicObject> gadgets, EventRecorder recorder) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            var client = dynamic.Resource(Gadgets);
            if (gadgets.Get(request.Namespace, request.Name) is not { } cached)
            {
                return ReconcileResult.Done;
            }

            var gadget = cached.DeepCopy();
            if (gadget.Metadata.DeletionTimestamp is not null)
            {
                await Finalizers.RemoveAsync(client, gadget, Finalizer, ct: ct);
                return ReconcileResult.Done;
            }

            gadget = await Finalizers.AddAsync(client, gadget, Finalizer, ct: ct);
            var size = (string?)gadget.Object["spec"]?["size"]?.ToString() ?? "";
            var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"{request.Name}-config", NamespaceProperty = request.Namespace } };
            await ControllerUtil.CreateOrUpdateAsync(cs.CoreV1().ConfigMaps(request.Namespace), cm, c =>
            {
                c.Data = new Dictionary<string, string> { ["size"] = size };
                OwnerReferences.SetControllerReference(gadget, c);
            }, ct);

            await ControllerUtil.CreateOrPatchAsync(client, gadget, g => Conditions.Set(
                g, new V1Condition { Type = "Ready", Status = "True", Reason = "ConfigMapSynced", Message = $"size {size}", ObservedGeneration = g.Metadata.Generation }), ct);
            await recorder.EventAsync(gadget, EventRecorder.Normal, "Synced", $"config map {cm.Metadata.Name} has size {size}");
            return ReconcileResult.Done;
        }
    }

    private async Task EnsureCrdsAsync(DynamicClient dynamic)
    {
        await CrdsOnce.WaitAsync();
        try
        {
            if (!_crds)
            {
                await Crds.EstablishAsync(dynamic, Group, "Gadget", "gadgets", namespaced: true);
                await Crds.EstablishAsync(dynamic, Group, "Fleet", "fleets", namespaced: false);
                _crds = true;
            }
        }
        finally
        {
            CrdsOnce.Release();
        }
    }

    private static JsonObject Gadget(string name, int size) => new()
    {
        ["apiVersion"] = $"{Group}/v1",
        ["kind"] = "Gadget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["size"] = size },
    };

    [Fact]
    public async Task ForGvr_ReconcilesACustomResourceWithoutAClass_OwnsRepairs_FinalizerReleasesOnDelete()
    {
        using var cs = fx.Clientset();
        using var dynamic = new DynamicClient(fx.Config());
        await EnsureCrdsAsync(dynamic);
        var ns = await fx.NamespaceAsync(cs, "dyn");
        var manager = new Manager(cs);
        var controller = manager.CreateController().Named($"gadgets-{ns}").For(Gadgets).Owns<V1ConfigMap>()
            .Complete(recorder => new GadgetReconciler(cs, dynamic, manager.Informers.ForResource(Gadgets).Lister, recorder));
        Assert.NotNull(controller.Recorder);
        using var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await manager.Elected.WaitAsync(Deadline);
        var gadgets = dynamic.Resource(Gadgets).Namespace(ns);
        var created = await gadgets.CreateAsync(Gadget("g1", 3));
        var cms = cs.CoreV1().ConfigMaps(ns);

        var cm = await Until.ExistsAsync(cms, c => c.Metadata.Name == "g1-config");
        Assert.Equal("3", cm.Data["size"]);
        var owner = Assert.Single(cm.Metadata.OwnerReferences);
        Assert.Equal(((string?)created["metadata"]!["uid"], "Gadget", true), (owner.Uid, owner.Kind, owner.Controller));

        var ready = await UntilAsync(gadgets, "g1", g => Conditions.IsTrue(ConditionsOf(g), "Ready"));
        Assert.Contains(Finalizer, ready["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        Assert.Equal("size 3", Conditions.Find(ConditionsOf(ready), "Ready")!.Message);

        // A spec change reaches the config map (For); a deleted config map comes back (Owns, through the CR's mapping).
        await gadgets.PatchAsync("g1", PatchType.Merge, """{"spec":{"size":5}}""");
        await Until.ExistsAsync(cms, c => c.Metadata.Name == "g1-config" && c.Data?["size"] == "5");
        var before = (await cms.GetAsync("g1-config")).Metadata.Uid;
        await cms.DeleteAsync("g1-config");
        var again = await Until.ExistsAsync(cms, c => c.Metadata.Name == "g1-config" && c.Metadata.Uid != before);
        Assert.Equal("5", again.Data["size"]);

        var events = await cs.CoreV1().Events(ns).ListAsync();
        Assert.Contains(events.Items, e => e.Reason == "Synced" && e.Source?.Component == $"gadgets-{ns}" && e.InvolvedObject.Name == "g1");

        // Deletion waits for the finalizer, which the controller removes.
        await gadgets.DeleteAsync("g1");
        await UntilGoneAsync(gadgets, "g1");

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
    }

    /// <summary>Keeps a ConfigMap "&lt;fleet&gt;" in one namespace, controlled by the cluster-scoped Fleet of that name.</summary>
    private sealed class FleetReconciler(Clientset cs, Lister<DynamicObject> fleets, string ns) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            Assert.Null(request.Namespace); // a cluster-scoped owner's key has no namespace, also when mapped from a namespaced child
            if (fleets.Get(null, request.Name) is not { } fleet || !request.Name.EndsWith(ns, StringComparison.Ordinal))
            {
                return ReconcileResult.Done;
            }

            var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = request.Name, NamespaceProperty = ns } };
            await ControllerUtil.CreateOrUpdateAsync(cs.CoreV1().ConfigMaps(ns), cm, c => OwnerReferences.SetControllerReference(fleet, c), ct);
            return ReconcileResult.Done;
        }
    }

    [Fact]
    public async Task OwnsWithAClusterScopedDynamicOwner_EnqueuesTheOwnerWithoutNamespace()
    {
        using var cs = fx.Clientset();
        using var dynamic = new DynamicClient(fx.Config());
        await EnsureCrdsAsync(dynamic);
        var ns = await fx.NamespaceAsync(cs, "fleet");
        var name = $"fleet-{ns}";
        var manager = new Manager(cs);
        var controller = manager.CreateController().Named($"fleets-{ns}").For(Fleets).Owns<V1ConfigMap>()
            .Complete(new FleetReconciler(cs, manager.Informers.ForResource(Fleets).Lister, ns));
        using var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await manager.Elected.WaitAsync(Deadline);
        Assert.False(manager.Informers.TryGetMapping(Fleets)!.Namespaced); // resolved through discovery before the informers started

        await dynamic.Resource(Fleets).CreateAsync(new JsonObject { ["apiVersion"] = $"{Group}/v1", ["kind"] = "Fleet", ["metadata"] = new JsonObject { ["name"] = name } });
        var cms = cs.CoreV1().ConfigMaps(ns);
        var first = await Until.ExistsAsync(cms, c => c.Metadata.Name == name);
        Assert.Equal("Fleet", Assert.Single(first.Metadata.OwnerReferences).Kind);
        await cms.DeleteAsync(name);
        await Until.ExistsAsync(cms, c => c.Metadata.Name == name && c.Metadata.Uid != first.Metadata.Uid);

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
        Assert.Equal(0, controller.Errors);
    }

    [Fact]
    public async Task MergedFactory_OneNamespace_ResolvesAClusterScopedCustomResourceThroughDiscovery()
    {
        using var cs = fx.Clientset();
        using var dynamic = new DynamicClient(fx.Config());
        await EnsureCrdsAsync(dynamic);
        var ns = await fx.NamespaceAsync(cs, "scope");
        var other = await fx.NamespaceAsync(cs, "scope");
        var fleet = $"fleet-{ns}";
        await dynamic.Resource(Fleets).CreateAsync(new JsonObject { ["apiVersion"] = $"{Group}/v1", ["kind"] = "Fleet", ["metadata"] = new JsonObject { ["name"] = fleet } });
        await dynamic.Resource(Gadgets).Namespace(ns).CreateAsync(Gadget("mine", 1));
        await dynamic.Resource(Gadgets).Namespace(other).CreateAsync(Gadget("theirs", 1));

        await using var factory = new SharedInformerFactory(cs, ns: ns);
        var fleets = factory.ForResource(Fleets);
        var gadgets = factory.ForResource(Gadgets);
        var typedCms = factory.For<V1ConfigMap>();
        await factory.StartAsync();
        await factory.WaitForCacheSyncAsync().WaitAsync(Deadline);

        Assert.False(factory.TryGetMapping(Fleets)!.Namespaced);
        Assert.Equal("Fleet", factory.TryGetMapping(Fleets)!.Kind.Kind);
        Assert.NotNull(fleets.Lister.Get(null, fleet)); // listed cluster-wide although the factory watches one namespace
        Assert.Equal(["mine"], gadgets.Lister.List().Select(g => g.Metadata.Name));
        Assert.All(typedCms.Lister.List(), c => Assert.Equal(ns, c.Metadata.NamespaceProperty));
        Assert.Equal(3, factory.Keys.Count);
    }

    [Fact]
    public async Task ForMetadata_CachesOnlyMetadata_ListedAndWatched()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs, "meta");
        var cms = cs.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "listed", Labels = new Dictionary<string, string> { ["a"] = "1" } }, Data = new Dictionary<string, string> { ["big"] = "x" } });

        await using var factory = new SharedInformerFactory(cs, ns: ns);
        var informer = factory.ForMetadata(new GroupVersionResource("", "v1", "configmaps"));
        var watched = new TaskCompletionSource<PartialObjectMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        informer.AddEventHandler(new ResourceEventHandler<PartialObjectMetadata>(onAdd: (o, _) =>
        {
            if (o.Metadata.Name == "watched")
            {
                watched.TrySetResult(o);
            }
        }));
        await factory.StartAsync();
        await factory.WaitForCacheSyncAsync().WaitAsync(Deadline);

        var listed = informer.Lister.Get(ns, "listed");
        Assert.NotNull(listed);
        Assert.Equal(("PartialObjectMetadata", "1"), (listed.Kind, listed.Metadata.Labels["a"]));
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "watched" }, Data = new Dictionary<string, string> { ["big"] = "y" } });
        var seen = await watched.Task.WaitAsync(Deadline);
        Assert.Equal(("PartialObjectMetadata", ns), (seen.Kind, seen.Metadata.NamespaceProperty));
        Assert.Equal(typeof(PartialObjectMetadata), Assert.Single(factory.Keys).ObjectType);
    }

    [Fact]
    public async Task ControllerUtil_CreateOrUpdate_CreateOrPatch_Finalizers_AgainstTheServer()
    {
        using var cs = fx.Clientset();
        using var dynamic = new DynamicClient(fx.Config());
        await EnsureCrdsAsync(dynamic);
        var ns = await fx.NamespaceAsync(cs, "util");
        var cms = cs.CoreV1().ConfigMaps(); // any namespace: the object's own is used
        V1ConfigMap Want() => new() { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = ns } };

        var (r1, c1) = await ControllerUtil.CreateOrUpdateAsync(cms, Want(), c => c.Data = new Dictionary<string, string> { ["a"] = "1" });
        var (r2, c2) = await ControllerUtil.CreateOrUpdateAsync(cms, Want(), c => c.Data = new Dictionary<string, string> { ["a"] = "1" });
        var (r3, c3) = await ControllerUtil.CreateOrUpdateAsync(cms, Want(), c => c.Data["a"] = "2");
        var (r4, c4) = await ControllerUtil.CreateOrPatchAsync(cms, Want(), c => c.Data["b"] = "3");
        Assert.Equal((OperationResult.Created, OperationResult.None, OperationResult.Updated, OperationResult.Updated), (r1, r2, r3, r4));
        Assert.Equal(c1.Metadata.ResourceVersion, c2.Metadata.ResourceVersion);
        Assert.Equal("2", c3.Data["a"]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "2", ["b"] = "3" }, c4.Data);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ControllerUtil.CreateOrUpdateAsync(cms, Want(), c => c.Metadata.Name = "d"));

        var gadgets = dynamic.Resource(Gadgets).Namespace(ns);
        var g = new DynamicObject(await gadgets.CreateAsync(Gadget("g", 1)));
        var (s1, _) = await ControllerUtil.CreateOrPatchAsync(gadgets, g, o => o.Object["status"] = new JsonObject { ["phase"] = "Up" });
        var (s2, both) = await ControllerUtil.CreateOrPatchAsync(gadgets, g, o =>
        {
            o.Object["spec"]!["size"] = 2;
            o.Object["status"] = new JsonObject { ["phase"] = "Scaling" };
        });
        Assert.Equal((OperationResult.UpdatedStatusOnly, OperationResult.UpdatedStatus), (s1, s2));
        Assert.Equal(("2", "Scaling"), (both.Object["spec"]!["size"]!.ToString(), (string?)both.Object["status"]!["phase"]));

        // Finalizer writes carry the resourceVersion: a stale object conflicts instead of overwriting.
        var fresh = await Finalizers.AddAsync(cms, await cs.CoreV1().ConfigMaps(ns).GetAsync("c"), "a.example.com/f");
        Assert.Equal(["a.example.com/f"], fresh.Metadata.Finalizers);
        var stale = KubernetesSerialization.DeepCopy(c1);
        var patchConflict = await Assert.ThrowsAsync<KubernetesApiException>(() => Finalizers.AddAsync(cms, stale, "b.example.com/f"));
        Assert.True(patchConflict.IsConflict, patchConflict.Message);
        var updateConflict = await Assert.ThrowsAsync<KubernetesApiException>(() => Finalizers.AddAsync(cms, KubernetesSerialization.DeepCopy(c1), "b.example.com/f", WriteMode.Update));
        Assert.True(updateConflict.IsConflict, updateConflict.Message);
        var released = await Finalizers.RemoveAsync(cms, fresh, "a.example.com/f", WriteMode.Update);
        Assert.Null(released.Metadata.Finalizers);
    }

    private static List<V1Condition> ConditionsOf(JsonObject obj) => Conditions.Of(new DynamicObject(obj));

    private static async Task<JsonObject> UntilAsync(DynamicResourceClient client, string name, Func<JsonObject, bool> predicate)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var list = await client.ListAsync(new ListOptions { FieldSelector = $"metadata.name={name}" }, cts.Token);
        if (list["items"]!.AsArray().Select(i => i!.AsObject()).FirstOrDefault(predicate) is { } hit)
        {
            return hit;
        }

        var options = new ListOptions { FieldSelector = $"metadata.name={name}", ResourceVersion = (string?)list["metadata"]!["resourceVersion"] };
        await foreach (var e in client.WatchAsync(options, cts.Token))
        {
            if (e.Type is WatchEventType.Added or WatchEventType.Modified && predicate(e.Object))
            {
                return e.Object;
            }
        }

        throw new TimeoutException("the watch ended before the condition held");
    }

    private static async Task UntilGoneAsync(DynamicResourceClient client, string name)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var list = await client.ListAsync(new ListOptions { FieldSelector = $"metadata.name={name}" }, cts.Token);
        if (list["items"]!.AsArray().Count == 0)
        {
            return;
        }

        var options = new ListOptions { FieldSelector = $"metadata.name={name}", ResourceVersion = (string?)list["metadata"]!["resourceVersion"] };
        await foreach (var e in client.WatchAsync(options, cts.Token))
        {
            if (e.Type == WatchEventType.Deleted)
            {
                return;
            }
        }

        throw new TimeoutException("the watch ended before the object was deleted");
    }
}
