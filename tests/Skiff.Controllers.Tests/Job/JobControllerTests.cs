using k8s.Models;
using Skiff.Controllers.Job;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Job.JobTestObjects;

namespace Skiff.Controllers.Tests.Job;

public sealed class JobControllerTests
{
    [Fact]
    public async Task BackoffLimit2_PodsAlwaysFail_FailsAfterExactlyThreeFailedPods()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Fail(1));
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        await jobs.CreateAsync(NewJob("fails", backoffLimit: 2));

        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Failed)))).Single();
        Assert.Equal(3, job.Status.Failed);
        Assert.Null(job.Status.Active);
        Assert.Equal(JobConditions.ReasonBackoffLimitExceeded, Condition(job, JobConditions.FailureTarget)?.Reason);
        var failed = Condition(job, JobConditions.Failed)!;
        Assert.Equal(("BackoffLimitExceeded", "Job has reached the specified backoff limit"), (failed.Reason, failed.Message));
        Assert.Null(job.Status.CompletionTime);
        Assert.Empty(job.Status.UncountedTerminatedPods?.Failed ?? []);

        var pods = (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Failed", p.Status.Phase));
        Assert.All(pods, p => Assert.DoesNotContain(JobPods.TrackingFinalizer, p.Metadata.Finalizers ?? []));
        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "BackoffLimitExceeded"));
        Assert.Equal(3, events.Where(e => e.Reason == "SuccessfulCreate").Sum(e => e.Count ?? 1));
        Assert.Equal("Warning", events.First(e => e.Reason == "BackoffLimitExceeded").Type);
    }

    [Fact]
    public async Task Indexed_EachPodGetsItsIndex_CompletesWithAllIndexes()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Succeed);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("idx", completions: 3, parallelism: 3);
        spec.Spec.CompletionMode = "Indexed";
        await jobs.CreateAsync(spec);

        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Complete)))).Single();
        Assert.Equal("0-2", job.Status.CompletedIndexes);
        Assert.Equal(3, job.Status.Succeeded);
        Assert.Equal(JobConditions.ReasonCompletionsReached, Condition(job, JobConditions.SuccessCriteriaMet)?.Reason);
        Assert.Equal(JobConditions.ReasonCompletionsReached, Condition(job, JobConditions.Complete)?.Reason);
        Assert.NotNull(job.Status.CompletionTime);

        var pods = (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items.OrderBy(p => p.Metadata.Annotations[JobPods.CompletionIndexKey]).ToList();
        Assert.Equal(3, pods.Count);
        for (var i = 0; i < 3; i++)
        {
            var p = pods[i];
            var ix = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(ix, p.Metadata.Annotations[JobPods.CompletionIndexKey]);
            Assert.Equal(ix, p.Metadata.Labels[JobPods.CompletionIndexKey]);
            Assert.Equal($"idx-{ix}", p.Spec.Hostname);
            Assert.StartsWith($"idx-{ix}-", p.Metadata.Name, StringComparison.Ordinal);
            var env = Assert.Single(p.Spec.Containers[0].Env, e => e.Name == "JOB_COMPLETION_INDEX");
            Assert.Equal("metadata.labels['batch.kubernetes.io/job-completion-index']", env.ValueFrom.FieldRef.FieldPath);
            Assert.DoesNotContain(JobPods.TrackingFinalizer, p.Metadata.Finalizers ?? []);
            Assert.Equal(job.Metadata.Uid, p.Metadata.Labels["batch.kubernetes.io/controller-uid"]);
            Assert.Equal("idx", p.Metadata.Labels["batch.kubernetes.io/job-name"]);
            Assert.Equal("idx", p.Metadata.Labels["job-name"]);
            Assert.Equal(job.Metadata.Uid, p.Metadata.Labels["controller-uid"]);
        }
    }

    [Fact]
    public async Task Parallelism_CapsActivePods_CompletionsCountSucceededPods_FinalizersRemoved()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Running);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        await jobs.CreateAsync(NewJob("par", completions: 6, parallelism: 2));
        var pods = h.Clientset.CoreV1().Pods(ns);

        var running = await ListWatch.UntilAsync(pods, l => l.Count(p => p.Status?.Phase == "Running") == 2);
        Assert.Equal(2, running.Count);
        Assert.All(running, p => Assert.Contains(JobPods.TrackingFinalizer, p.Metadata.Finalizers));
        await ListWatch.UntilAsync(jobs, l => l.Single().Status is { Active: 2, Ready: 2 });

        kubelet.Outcome = _ => PodOutcome.Succeed;
        kubelet.Reevaluate();
        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Complete)))).Single();
        Assert.Equal(6, job.Status.Succeeded);
        Assert.Null(job.Status.Failed);
        Assert.Equal(0, job.Status.Terminating);
        var all = (await pods.ListAsync()).Items;
        Assert.Equal(6, all.Count);
        Assert.All(all, p => Assert.Equal("Succeeded", p.Status.Phase));
        Assert.All(all, p => Assert.DoesNotContain(JobPods.TrackingFinalizer, p.Metadata.Finalizers ?? []));
        Assert.Equal(2, kubelet.MaxActive(ns));
        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "Completed"));
        Assert.Equal("Job completed", events.First(e => e.Reason == "Completed").Message);
    }

    [Fact]
    public async Task PodFailurePolicy_FailJobOnExitCode42_FailsAtOnce()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Fail(42));
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("pfp", backoffLimit: 6);
        spec.Spec.PodFailurePolicy = new V1PodFailurePolicy
        {
            Rules = [new V1PodFailurePolicyRule { Action = "FailJob", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "In", Values = [42] } }],
        };
        await jobs.CreateAsync(spec);

        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Failed)))).Single();
        var failed = Condition(job, JobConditions.Failed)!;
        Assert.Equal(JobConditions.ReasonPodFailurePolicy, failed.Reason);
        Assert.Matches(@"^Container main for pod .+/pfp-\w+ failed with exit code 42 matching FailJob rule at index 0$", failed.Message);
        Assert.Equal(1, job.Status.Failed);
        Assert.Single((await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items);
    }

    [Fact]
    public async Task PodFailurePolicy_IgnoreOnDisruptionTarget_DoesNotCount()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        var disrupted = new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "PreemptionByScheduler" };
        string? first = null;
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, p =>
        {
            // The first pod is disrupted; its replacement succeeds.
            Interlocked.CompareExchange(ref first, p.Metadata.Uid, null);
            return p.Metadata.Uid == first ? PodOutcome.Fail(137, disrupted) : PodOutcome.Succeed;
        });
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("ignore", backoffLimit: 0);
        spec.Spec.PodFailurePolicy = new V1PodFailurePolicy
        {
            Rules = [new V1PodFailurePolicyRule { Action = "Ignore", OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }] }],
        };
        await jobs.CreateAsync(spec);

        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Complete) || Has(j, JobConditions.Failed)))).Single();
        Assert.True(Has(job, JobConditions.Complete));
        Assert.Null(job.Status.Failed);
        Assert.Equal(1, job.Status.Succeeded);
        var pods = (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items;
        Assert.Equal(["Failed", "Succeeded"], pods.Select(p => p.Status.Phase).Order());
    }

    [Fact]
    public async Task Suspend_DeletesActivePods_Resume_CreatesThem()
    {
        await using var h = await ControllerHarness.StartAsync([JobController()]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Running);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var pods = h.Clientset.CoreV1().Pods(ns);
        await jobs.CreateAsync(NewJob("sus", completions: 4, parallelism: 2));
        var started = (await ListWatch.UntilAsync(jobs, l => l.Single().Status is { Active: 2, Ready: 2 })).Single();

        await h.Kubectl.OkAsync("patch", "job", "sus", "-n", ns, "--type=merge", "-p", """{"spec":{"suspend":true}}""");
        await ListWatch.UntilAsync(pods, l => l.Count == 0);
        var suspended = (await ListWatch.UntilAsync(jobs, l => Has(l.Single(), JobConditions.Suspended) && l.Single().Status.Active is null)).Single();
        var condition = Condition(suspended, JobConditions.Suspended)!;
        Assert.Equal(("JobSuspended", "Job suspended"), (condition.Reason, condition.Message));
        Assert.Null(suspended.Status.Failed);
        Assert.Contains(" Suspended ", await h.Kubectl.OkAsync("get", "job", "sus", "-n", ns, "--no-headers"), StringComparison.Ordinal);

        await h.Kubectl.OkAsync("patch", "job", "sus", "-n", ns, "--type=merge", "-p", """{"spec":{"suspend":false}}""");
        await ListWatch.UntilAsync(pods, l => l.Count(p => p.Status?.Phase == "Running") == 2);
        var resumed = (await ListWatch.UntilAsync(jobs, l => l.Single().Status.Conditions?.Any(c => c.Type == JobConditions.Suspended && c.Status == "False") == true)).Single();
        var resumedCondition = resumed.Status.Conditions.Single(c => c.Type == JobConditions.Suspended);
        Assert.Equal(("JobResumed", "Job resumed"), (resumedCondition.Reason, resumedCondition.Message));
        Assert.True(resumed.Status.StartTime >= started.Status.StartTime);
        var events = await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "Resumed"));
        Assert.Contains(events, e => e.Reason == "Suspended");
        Assert.Contains(events, e => e.Reason == "SuccessfulDelete");
    }
}
