namespace TrainingOperator.Api;

/// <summary>The observed state of a training job.</summary>
public sealed class TrainingJobStatus
{
    /// <summary>The job's conditions, oldest first: Created, Running, Succeeded or Failed.</summary>
    public IList<JobCondition>? Conditions { get; set; }

    /// <summary>Pod counts per replica type.</summary>
    public IDictionary<string, ReplicaStatus>? ReplicaStatuses { get; set; }

    /// <summary>When the operator first acted on the job.</summary>
    public DateTime? StartTime { get; set; }

    /// <summary>When the job succeeded or failed.</summary>
    public DateTime? CompletionTime { get; set; }
}
