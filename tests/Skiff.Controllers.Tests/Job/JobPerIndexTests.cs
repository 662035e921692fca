using k8s.Models;
using Skiff.Controllers.Job;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Job.JobTestObjects;

namespace Skiff.Controllers.Tests.Job;

public sealed class JobPerIndexTests
{
    private static string Index(V1Pod p) => p.Metadata.Annotations[JobPods.CompletionIndexKey];

    [Fact]
    public async Task BackoffLimitPerIndex_OneIndexKeepsFailing_FailsWithFailedIndexes()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, p => Index(p) == "1" ? PodOutcome.Fail(1) : PodOutcome.Succeed);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("perindex", completions: 3, parallelism: 3);
        spec.Spec.CompletionMode = "Indexed";
        spec.Spec.BackoffLimitPerIndex = 1;
        await jobs.CreateAsync(spec);

        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Failed)))).Single();
        Assert.Equal(JobConditions.ReasonFailedIndexes, Condition(job, JobConditions.Failed)?.Reason);
        Assert.Equal(("0,2", "1"), (job.Status.CompletedIndexes, job.Status.FailedIndexes));
        Assert.Equal((2, 2), (job.Status.Succeeded, job.Status.Failed));
        var index1 = (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items.Where(p => Index(p) == "1")
            .OrderBy(p => p.Metadata.Annotations[JobPods.IndexFailureCountAnnotation]).ToList();
        Assert.Equal(["0", "1"], index1.Select(p => p.Metadata.Annotations[JobPods.IndexFailureCountAnnotation]));
    }

    [Fact]
    public async Task FailIndexRule_MaxFailedIndexes0_FailsTheJobAndStopsTheOthers()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, p => Index(p) == "0" ? PodOutcome.Fail(3) : PodOutcome.Running);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("failindex", completions: 3, parallelism: 3);
        spec.Spec.CompletionMode = "Indexed";
        spec.Spec.BackoffLimitPerIndex = 5;
        spec.Spec.MaxFailedIndexes = 0;
        spec.Spec.PodFailurePolicy = new V1PodFailurePolicy
        {
            Rules = [new V1PodFailurePolicyRule { Action = "FailIndex", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "In", Values = [3] } }],
        };
        await jobs.CreateAsync(spec);

        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Failed)))).Single();
        Assert.Equal(JobConditions.ReasonMaxFailedIndexesExceeded, Condition(job, JobConditions.Failed)?.Reason);
        Assert.Equal("0", job.Status.FailedIndexes);
        Assert.Null(job.Status.Active);

        // The running pods of indexes 1 and 2 were stopped (counted as failed) and, unbound, are gone.
        var left = await ListWatch.UntilAsync(h.Clientset.CoreV1().Pods(ns), l => l.Count == 1);
        Assert.Equal("0", Index(left.Single()));
        Assert.Equal(3, job.Status.Failed);
    }
}
