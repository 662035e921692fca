using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Controllers.Job;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Job.JobTestObjects;

namespace Skiff.Controllers.Tests.Job;

public sealed class JobDeadlineAndKubectlTests
{
    [Fact]
    public async Task ActiveDeadlineSeconds_FakeClockPassesIt_FailsWithDeadlineExceeded()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await ControllerHarness.StartAsync([JobController()], clock);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Running, clock);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("deadline");
        spec.Spec.ActiveDeadlineSeconds = 600;
        await jobs.CreateAsync(spec);

        // The controller's retries (a status write that conflicted) wait on the fake clock too: let it tick, 10 s a
        // step, far below the deadline; the deadline itself is passed by one explicit jump.
        using var stop = new CancellationTokenSource();
        var ticking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Delay(10, CancellationToken.None);
            }
        });
        try
        {
            var running = (await ListWatch.UntilAsync(jobs, l => l.Single().Status is { Active: 1, StartTime: not null })).Single();
            Assert.DoesNotContain(running.Status.Conditions ?? [], c => c.Type == JobConditions.Failed);
            clock.Advance(TimeSpan.FromSeconds(601));

            var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Failed)))).Single();
            var failed = Condition(job, JobConditions.Failed)!;
            Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (failed.Reason, failed.Message));
            Assert.Equal(JobConditions.ReasonDeadlineExceeded, Condition(job, JobConditions.FailureTarget)?.Reason);
            Assert.True(JobPods.Utc(failed.LastTransitionTime!.Value) - JobPods.Utc(job.Status.StartTime!.Value) >= TimeSpan.FromSeconds(600));
            Assert.Equal(1, job.Status.Failed);
            Assert.Null(job.Status.Active);
            Assert.Equal(0, job.Status.Terminating);

            // The running pod was deleted (and, unbound, is gone once its finalizer was removed).
            await ListWatch.UntilAsync(h.Clientset.CoreV1().Pods(ns), l => l.Count == 0);
        }
        finally
        {
            await stop.CancelAsync();
            await ticking;
        }
    }

    [Fact]
    public async Task Kubectl_CreateJob_WaitComplete_GetShowsCompleteAndCompletions()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["job"]));
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Succeed);
        var ns = await h.NamespaceAsync();

        await h.Kubectl.OkAsync("create", "job", "x", "-n", ns, "--image=busybox", "--", "true");
        await h.Kubectl.OkAsync("wait", "-n", ns, "--for=condition=complete", "job/x", "--timeout=60s");
        var table = await h.Kubectl.OkAsync("get", "jobs", "-n", ns);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("x", "Complete", "1/1"), (row[0], row[1], row[2]));

        var pods = (await h.Clientset.CoreV1().Pods(ns).ListAsync()).Items;
        var pod = Assert.Single(pods);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("batch/v1", "Job", "x", true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal("x", pod.Metadata.Labels["batch.kubernetes.io/job-name"]);
    }
}
