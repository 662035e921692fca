using System.ComponentModel;
using k8s;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("A gadget, version v2.")]
[KubernetesEntity(Group = "samples.skiff.dev", ApiVersion = "v2", Kind = "Gadget", PluralName = "gadgets")]
[StorageVersion]
public sealed class GadgetV2 : KubernetesObject, IKubernetesObject<V1ObjectMeta>
{
    public V1ObjectMeta Metadata { get; set; } = new();

    public IDictionary<string, long>? Sizes { get; set; }
}
