using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Dynamic;
using Skiff.Client.Entities;
using Skiff.Client.Schema;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Cache;

/// <summary>Keying of the merged factory; nothing here starts an informer, so no server is needed.</summary>
public sealed class SharedInformerFactoryTests : IAsyncDisposable
{
    private static readonly GroupVersionResource Pods = new("", "v1", "pods");
    private readonly Clientset _cs = new(new ClientConfig { Host = new Uri("https://127.0.0.1:1") });
    private readonly SharedInformerFactory _factory;

    public SharedInformerFactoryTests()
    {
        _factory = new SharedInformerFactory(_cs);
    }

    [KubernetesEntityAttribute(Group = "example.com", ApiVersion = "v1", Kind = "Fleet", PluralName = "fleets")]
    [EntityScope(EntityScope.Cluster)]
    private sealed class Fleet : k8s.IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "example.com/v1";

        public string Kind { get; set; } = "Fleet";

        public V1ObjectMeta Metadata { get; set; } = new();
    }

    private sealed class FleetList : k8s.IKubernetesObject<V1ListMeta>, IItems<Fleet>
    {
        public string ApiVersion { get; set; } = "example.com/v1";

        public string Kind { get; set; } = "FleetList";

        public V1ListMeta Metadata { get; set; } = new();

        public IList<Fleet> Items { get; set; } = [];
    }

    [Fact]
    public void For_AndInformer_SameType_ShareOneInformer()
    {
        var a = _factory.For<V1Pod>();
        var b = _factory.Informer<V1Pod, V1PodList>();
        var c = _factory.Informer<V1Pod>();

        Assert.Same(a, b);
        Assert.Same(a, c);
        Assert.Equal(new InformerKey(Pods, typeof(V1Pod)), Assert.Single(_factory.Keys));
    }

    [Fact]
    public void ForResource_SameResourceTwice_SharesOne_ButNotWithTheTypedInformer()
    {
        var typed = _factory.For<V1Pod>();
        var d1 = _factory.ForResource(Pods);
        var d2 = _factory.ForResource(new GroupVersionResource("", "v1", "pods"));

        Assert.Same(d1, d2);
        Assert.NotSame((object)typed, d1);
        Assert.Equal(
            [new InformerKey(Pods, typeof(DynamicObject)), new InformerKey(Pods, typeof(V1Pod))],
            _factory.Keys.OrderBy(k => k.ObjectType.Name, StringComparer.Ordinal));
    }

    [Fact]
    public void TypedInformer_RecordsTheMappingFromTheTypesAttributes()
    {
        _factory.For<V1Pod>();
        _factory.For<V1Node>();
        _factory.Informer<Fleet, FleetList>();

        Assert.True(_factory.TryGetMapping(Pods)!.Namespaced);
        Assert.Equal("Pod", _factory.TryGetMapping(Pods)!.Kind.Kind);
        Assert.False(_factory.TryGetMapping(new GroupVersionResource("", "v1", "nodes"))!.Namespaced);
        var fleets = _factory.TryGetMapping(new GroupVersionResource("example.com", "v1", "fleets"));
        Assert.NotNull(fleets);
        Assert.False(fleets.Namespaced); // [EntityScope(Cluster)], not the built-in list
        Assert.Equal(new GroupVersionKind("example.com", "v1", "Fleet"), fleets.Kind);
    }

    [Fact]
    public void ForResource_WithAGivenMapping_NeedsNoDiscovery()
    {
        var gvr = new GroupVersionResource("example.com", "v1", "gadgets");
        Assert.Null(_factory.TryGetMapping(gvr));

        var informer = _factory.ForResource(gvr, new GroupVersionKind("example.com", "v1", "Gadget"), namespaced: false);

        Assert.Same(informer, _factory.ForResource(gvr));
        Assert.False(_factory.TryGetMapping(gvr)!.Namespaced);
    }

    [Fact]
    public void Informer_ModelWithoutListType_Throws()
        => Assert.Throws<ArgumentException>(() => _factory.Informer<Fleet>()); // FleetList is nested, not found by convention

    [Fact]
    public void DynamicFactory_IsAViewOfTheMergedFactory()
    {
        var view = new DynamicSharedInformerFactory(new DynamicClient(_cs.Rest));

        var informer = view.ForResource(Pods);

        Assert.Same(informer, view.Factory.ForResource(Pods));
        Assert.Equal(new InformerKey(Pods, typeof(DynamicObject)), Assert.Single(view.Factory.Keys));
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        _cs.Dispose();
    }
}
