using System.ComponentModel;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("A cluster-scoped kind without a plural name (the generator derives policies).")]
[KubernetesEntity(Group = "samples.skiff.dev", ApiVersion = "v1alpha1", Kind = "Policy")]
[EntityScope(EntityScope.Cluster)]
[SingularName("policy")]
public sealed class Policy : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "samples.skiff.dev/v1alpha1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Policy";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonRequired]
    public IList<string> Rules { get; set; } = [];
}
