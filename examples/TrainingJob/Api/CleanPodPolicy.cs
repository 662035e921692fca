namespace TrainingOperator.Api;

/// <summary>Which pods the operator deletes when a job has finished.</summary>
public enum CleanPodPolicy
{
    /// <summary>Every pod of the job.</summary>
    All,

    /// <summary>Pods still pending or running (finished pods stay, for their logs).</summary>
    Running,

    /// <summary>No pod.</summary>
    None,
}
