namespace TrainingOperator.Api;

/// <summary>A replica's pod restart policy (the pod's own <c>restartPolicy</c>).</summary>
public enum RestartPolicy
{
    /// <summary>The kubelet restarts containers whatever their exit code.</summary>
    Always,

    /// <summary>The kubelet restarts containers that exit non-zero.</summary>
    OnFailure,

    /// <summary>Containers are not restarted; a failed pod fails the job.</summary>
    Never,
}
