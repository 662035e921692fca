using System.ComponentModel;
using k8s;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("A gadget, version v1beta1 (no longer served).")]
[KubernetesEntity(Group = "samples.skiff.dev", ApiVersion = "v1beta1", Kind = "Gadget", PluralName = "gadgets")]
[UnservedVersion]
public sealed class GadgetV1beta1 : KubernetesObject, IKubernetesObject<V1ObjectMeta>
{
    public V1ObjectMeta Metadata { get; set; } = new();

    public int? Size { get; set; }
}
