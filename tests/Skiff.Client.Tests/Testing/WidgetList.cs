using k8s;
using k8s.Models;

namespace Skiff.Client.Tests.Testing;

/// <summary>The list type of <see cref="Widget"/>.</summary>
[KubernetesEntity(Group = "example.com", ApiVersion = "v1", Kind = "WidgetList", PluralName = "widgets")]
public sealed class WidgetList : IKubernetesObject<V1ListMeta>, IItems<Widget>
{
    public string ApiVersion { get; set; } = "example.com/v1";

    public string Kind { get; set; } = "WidgetList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<Widget> Items { get; set; } = [];
}
