using k8s;
using k8s.Models;

namespace Skiff.Client.Tests.Testing;

/// <summary>A custom-resource-like model (example.com/v1 Widget) that has no protobuf form.</summary>
[KubernetesEntity(Group = "example.com", ApiVersion = "v1", Kind = "Widget", PluralName = "widgets")]
public sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "example.com/v1";

    public string Kind { get; set; } = "Widget";

    public V1ObjectMeta Metadata { get; set; } = new();
}
