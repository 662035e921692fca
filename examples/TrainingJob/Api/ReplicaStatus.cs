namespace TrainingOperator.Api;

/// <summary>The pods of one replica type, by phase.</summary>
public sealed class ReplicaStatus
{
    /// <summary>Pods pending or running.</summary>
    public int Active { get; set; }

    /// <summary>Pods that succeeded.</summary>
    public int Succeeded { get; set; }

    /// <summary>Pods that failed.</summary>
    public int Failed { get; set; }
}
