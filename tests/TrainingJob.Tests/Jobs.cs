using k8s.Models;
using TrainingOperator.Api;

namespace TrainingOperator.Tests;

/// <summary>TrainingJob objects for the tests.</summary>
internal static class Jobs
{
    /// <summary>A job with the given replica counts (0 leaves a type out), busybox containers and restartPolicy Never.</summary>
    public static TrainingJob Create(string name, int chief = 1, int workers = 2, int ps = 1)
    {
        var job = new TrainingJob { Metadata = new V1ObjectMeta { Name = name } };
        foreach (var (type, n) in new[] { (ReplicaTypes.Chief, chief), (ReplicaTypes.Worker, workers), (ReplicaTypes.PS, ps) })
        {
            if (n > 0)
            {
                job.Spec.ReplicaSpecs[type] = new ReplicaSpec
                {
                    Replicas = n,
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "trainer" } },
                        Spec = new V1PodSpec
                        {
                            Containers = [new V1Container { Name = "tensorflow", Image = "busybox", Command = ["sh", "-c", "echo $TF_CONFIG; sleep 3600"] }],
                        },
                    },
                };
            }
        }

        return job;
    }
}
