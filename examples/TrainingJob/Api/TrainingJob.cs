using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Skiff.Client.Entities;

namespace TrainingOperator.Api;

/// <summary>
/// TrainingJob runs a distributed TensorFlow-style training job: a chief, workers and parameter servers, each a set of
/// pods that find each other through TF_CONFIG and one headless Service per replica type.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "TrainingJob", PluralName = "trainingjobs")]
[ShortNames("tj")]
[Categories("all", "training")]
[StatusSubresource]
[PrinterColumn("State", "string", ".status.conditions[-1:].type", Description = "The latest condition of the job.")]
[PrinterColumn("Workers", "integer", ".spec.replicaSpecs.Worker.replicas", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class TrainingJob : IKubernetesObject<V1ObjectMeta>, ISpec<TrainingJobSpec>, IStatus<TrainingJobStatus?>
{
    /// <summary>The API group.</summary>
    public const string Group = "training.skiff.dev";

    /// <summary>The version of this class.</summary>
    public const string Version = "v1";

    /// <summary>APIVersion of the resource.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    /// <summary>Kind of the resource.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "TrainingJob";

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The desired state of the training job.</summary>
    [Required]
    public TrainingJobSpec Spec { get; set; } = new();

    /// <summary>The observed state of the training job, written by the operator.</summary>
    public TrainingJobStatus? Status { get; set; }
}
