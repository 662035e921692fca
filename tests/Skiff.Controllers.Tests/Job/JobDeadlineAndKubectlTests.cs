using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Runtime;
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

        await using var ticking = Ticking(clock);
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

    [Fact]
    public async Task ActiveDeadlineSeconds_CreationNotYetObserved_NoFailureUntilThePodCacheHasIt()
    {
        // The ordering upstream keeps: a sync acts on a cache that holds its own creations (expectations), and those
        // expectations expire on wall time, never on the controller's clock. A jump of the fake clock past the deadline
        // (and past the 5-minute expectation timeout) used to satisfy a creation the pod informer had not delivered yet,
        // and the deadline sync then found no pod and enacted Failed with status.failed null. Here the unobserved
        // creation is made deterministic: the expectation is set by hand once the real one has been observed.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Skiff.Controllers.Job.JobController? controller = null;
        await using var h = await ControllerHarness.StartAsync(
            [new ControllerDescriptor("job", true, ctx => controller = Skiff.Controllers.Job.JobController.Register(ctx, Fast))], clock);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var pods = h.Clientset.CoreV1().Pods(ns);
        var spec = NewJob("late");
        spec.Spec.ActiveDeadlineSeconds = 600;
        await jobs.CreateAsync(spec);
        var key = ns + "/late";

        await using var ticking = Ticking(clock);
        await ListWatch.UntilAsync(jobs, l => l.Single().Status is { Active: 1, StartTime: not null });
        await ListWatch.UntilAsync(pods, l => l.Count == 1);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!controller!.Expectations.Satisfied(key))
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        controller.Expectations.ExpectCreations(key, 1);
        clock.Advance(TimeSpan.FromSeconds(601));

        // The deadline sync deletes the active pod, which is counted as failed once its deletion is seen; but with a
        // creation outstanding the Job is not finishing: neither FailureTarget nor Failed is written.
        await ListWatch.UntilAsync(jobs, l => l.Single().Status is { Failed: 1, Terminating: 0 });
        await ListWatch.UntilAsync(pods, l => l.Count == 0);
        var counted = await jobs.GetAsync("late");
        Assert.Null(counted.Status.Active);
        Assert.DoesNotContain(counted.Status.Conditions ?? [], c => c.Type is JobConditions.FailureTarget or JobConditions.Failed);

        // The creation is observed: the next sync fails the Job, every pod counted.
        controller.Expectations.CreationObserved(key);
        controller.Controller.Queue.Add(new ReconcileRequest(ns, "late"));
        var job = (await ListWatch.UntilAsync(jobs, l => l.Any(j => Has(j, JobConditions.Failed)))).Single();
        Assert.Equal((1, JobConditions.ReasonDeadlineExceeded), (job.Status.Failed, Condition(job, JobConditions.Failed)?.Reason));
        Assert.Equal(JobConditions.ReasonDeadlineExceeded, Condition(job, JobConditions.FailureTarget)?.Reason);
        Assert.True(job.Status.UncountedTerminatedPods is null or { Failed: null or [], Succeeded: null or [] });
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

    /// <summary>
    /// The controller's retries (a status write that conflicted) wait on the fake clock too: it ticks, 10 s of it per
    /// real second, far below any deadline; deadlines are passed by explicit jumps. Dispose stops it.
    /// </summary>
    private static Ticker Ticking(FakeTimeProvider clock) => new(clock);

    private sealed class Ticker : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public Ticker(FakeTimeProvider clock)
        {
            _run = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(100));
                    await Task.Delay(10, CancellationToken.None);
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }
}
