using k8s.Models;
using Skiff.Client.Entities;

namespace TrainingOperator.Api;

/// <summary>How many pods of one replica type run, from which template, restarted how.</summary>
public sealed class ReplicaSpec
{
    /// <summary>The number of pods (default 1).</summary>
    [Minimum(0)]
    [Default(1)]
    public int? Replicas { get; set; }

    /// <summary>The pod template; the operator adds labels, hostname, subdomain and TF_CONFIG.</summary>
    [Required]
    public V1PodTemplateSpec Template { get; set; } = new();

    /// <summary>The pods' restart policy: Always, OnFailure or Never (default). A replica that fails under Never fails the job.</summary>
    [Default(Api.RestartPolicy.Never)]
    public RestartPolicy? RestartPolicy { get; set; }
}
