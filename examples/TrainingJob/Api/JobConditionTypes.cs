namespace TrainingOperator.Api;

/// <summary>The condition types of a training job, as tf-operator's.</summary>
public static class JobConditionTypes
{
    /// <summary>The operator has accepted the job and creates its pods.</summary>
    public const string Created = "Created";

    /// <summary>The chief (or, without one, a worker) is running.</summary>
    public const string Running = "Running";

    /// <summary>The chief (or, without one, worker 0) has succeeded.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>A replica failed under restartPolicy Never.</summary>
    public const string Failed = "Failed";
}
