using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace TrainingOperator.Api;

/// <summary>A list of training jobs (what list and watch return).</summary>
public sealed class TrainingJobList : IKubernetesObject<V1ListMeta>, IItems<TrainingJob>
{
    /// <summary>APIVersion of the list.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{TrainingJob.Group}/{TrainingJob.Version}";

    /// <summary>Kind of the list.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "TrainingJobList";

    /// <summary>Standard list metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The jobs.</summary>
    [JsonPropertyName("items")]
    public IList<TrainingJob> Items { get; set; } = [];
}
