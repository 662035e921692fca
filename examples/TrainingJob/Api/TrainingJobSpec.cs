using Skiff.Client.Entities;

namespace TrainingOperator.Api;

/// <summary>The desired state of a training job.</summary>
public sealed class TrainingJobSpec
{
    /// <summary>
    /// The replicas of each type, keyed by type: Chief (at most one replica), Worker and PS. Each replica is a pod
    /// named JOB-TYPE-INDEX.
    /// </summary>
    [Required]
    [MinProperties(1)]
    [ValidationRule("self.all(t, t in ['Chief', 'Worker', 'PS'])", Message = "replica types must be Chief, Worker or PS")]
    [ValidationRule("!has(self.Chief) || self.Chief.replicas <= 1", Message = "a training job has at most one Chief", FieldPath = ".Chief.replicas")]
    public IDictionary<string, ReplicaSpec> ReplicaSpecs { get; set; } = new Dictionary<string, ReplicaSpec>();

    /// <summary>Which pods are deleted once the job has succeeded or failed: All, Running (default) or None.</summary>
    [Default(Api.CleanPodPolicy.Running)]
    public CleanPodPolicy? CleanPodPolicy { get; set; }
}
