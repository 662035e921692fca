using k8s;
using k8s.Models;
using Skiff.Client.Entities;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Typed;

public class ResourceInfoTests
{
    [KubernetesEntity(Group = "example.com", ApiVersion = "v1", Kind = "Widget", PluralName = "widgets")]
    [EntityScope(EntityScope.Cluster)]
    private sealed class ClusterWidget : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "example.com/v1";
        public string Kind { get; set; } = "Widget";
        public V1ObjectMeta Metadata { get; set; } = new();
    }

    [KubernetesEntity(Group = "example.com", ApiVersion = "v1", Kind = "Gadget", PluralName = "gadgets")]
    private sealed class Gadget : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "example.com/v1";
        public string Kind { get; set; } = "Gadget";
        public V1ObjectMeta Metadata { get; set; } = new();
    }

    [Fact]
    public void For_ScopeAttribute_DecidesScope()
    {
        Assert.False(ResourceInfo.For<ClusterWidget>().Namespaced);
        Assert.True(ResourceInfo.For<Gadget>().Namespaced);
    }

    [Fact]
    public void For_BuiltInKinds_KeepTheirScope()
    {
        Assert.False(ResourceInfo.For<V1Namespace>().Namespaced);
        Assert.True(ResourceInfo.For<V1Pod>().Namespaced);
        Assert.Equal("apps/v1", ResourceInfo.For<V1Deployment>().ApiVersion);
    }
}
