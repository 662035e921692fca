using k8s.Models;
using Skiff.Controllers.Job;

namespace Skiff.Controllers.Tests.Job;

/// <summary>Jobs and controller selections the Job tests share.</summary>
internal static class JobTestObjects
{
    /// <summary>Upstream's timings, but no batching and a back-off of milliseconds, so tests run fast on a real clock.</summary>
    public static JobControllerOptions Fast { get; } = new()
    {
        SyncBatchPeriod = TimeSpan.Zero,
        PodFailureBackoff = TimeSpan.FromMilliseconds(10),
        MaxPodFailureBackoff = TimeSpan.FromMilliseconds(40),
    };

    /// <summary>The job controller with <paramref name="options"/> (default <see cref="Fast"/>).</summary>
    public static ControllerDescriptor JobController(JobControllerOptions? options = null) =>
        new("job", true, ctx => Skiff.Controllers.Job.JobController.Register(ctx, options ?? Fast));

    /// <summary>A batch/v1 Job of one busybox container, restartPolicy Never.</summary>
    public static V1Job NewJob(string name, int? completions = 1, int? parallelism = 1, int? backoffLimit = null) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers = [new V1Container { Name = "main", Image = "busybox" }],
                },
            },
        },
    };

    /// <summary>The True condition of <paramref name="type"/>, or null.</summary>
    public static V1JobCondition? Condition(V1Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    public static bool Has(V1Job job, string type) => Condition(job, type) is not null;
}
