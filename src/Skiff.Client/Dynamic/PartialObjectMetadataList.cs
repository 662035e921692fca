using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Skiff.Client.Dynamic;

/// <summary><c>meta.k8s.io/v1 PartialObjectMetadataList</c>: a list answer in the metadata-only form.</summary>
public sealed class PartialObjectMetadataList : IKubernetesObject<V1ListMeta>, IItems<PartialObjectMetadata>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "meta.k8s.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "PartialObjectMetadataList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<PartialObjectMetadata> Items { get; set; } = [];
}
