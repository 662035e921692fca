using System.ComponentModel;
using k8s;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("A gadget, version v1.")]
[KubernetesEntity(Group = "samples.skiff.dev", ApiVersion = "v1", Kind = "Gadget", PluralName = "gadgets")]
[DeprecatedVersion(Warning = "samples.skiff.dev/v1 Gadget is deprecated; use v2")]
public sealed class GadgetV1 : KubernetesObject, IKubernetesObject<V1ObjectMeta>
{
    public V1ObjectMeta Metadata { get; set; } = new();

    public long? Size { get; set; }
}
