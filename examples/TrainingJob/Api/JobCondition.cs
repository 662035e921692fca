namespace TrainingOperator.Api;

/// <summary>One condition of a training job (tf-operator's JobCondition).</summary>
public sealed class JobCondition
{
    /// <summary>Created, Running, Succeeded or Failed (see <see cref="JobConditionTypes"/>).</summary>
    [Skiff.Client.Entities.Required]
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    [Skiff.Client.Entities.Required]
    public string Status { get; set; } = "";

    /// <summary>A CamelCase reason for the last transition, e.g. TrainingJobRunning.</summary>
    public string? Reason { get; set; }

    /// <summary>A human-readable message about the last transition.</summary>
    public string? Message { get; set; }

    /// <summary>The last time the condition was written.</summary>
    public DateTime? LastUpdateTime { get; set; }

    /// <summary>The last time the status changed.</summary>
    public DateTime? LastTransitionTime { get; set; }
}
