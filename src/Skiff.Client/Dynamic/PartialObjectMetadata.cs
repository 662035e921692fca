using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Only the metadata of an object (<c>meta.k8s.io/v1 PartialObjectMetadata</c>), as the server sends it when asked with
/// <c>Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1</c> (client-go's metadata client). What a
/// metadata-only informer caches: labels, owners, finalizers and timestamps of any resource, at a fraction of the
/// objects' size.
/// </summary>
public sealed class PartialObjectMetadata : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "meta.k8s.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "PartialObjectMetadata";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}
