using k8s.Models;
using Skiff.Controllers.Job;
using Skiff.Controllers.Tests.Testing;
using Skiff.Controllers.TtlAfterFinished;
using Xunit;
using static Skiff.Controllers.Tests.Job.JobTestObjects;

namespace Skiff.Controllers.Tests.TtlAfterFinished;

public sealed class TtlAfterFinishedControllerTests
{
    [Fact]
    public async Task FinishedJobWithTtl0_IsDeleted_ItsPodsThroughTheGarbageCollector()
    {
        await using var h = await ControllerHarness.StartAsync([JobController(), .. BuiltInControllers.Select(["ttl-after-finished", "garbagecollector"])]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, _ => PodOutcome.Succeed);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        var spec = NewJob("short", completions: 2, parallelism: 2);
        spec.Spec.TtlSecondsAfterFinished = 0;
        var seen = new List<V1Job>();
        var gone = ListWatch.UntilAsync(jobs, l =>
        {
            seen.AddRange(l);
            return seen.Count > 0 && l.Count == 0;
        });
        await jobs.CreateAsync(spec);

        await gone;
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Pods(ns), l => l.Count == 0);

        // It finished first, then was deleted in the foreground: its pods (dependents) went before it.
        Assert.Contains(seen, j => Has(j, JobConditions.Complete));
        Assert.Contains(seen, j => j.Metadata.DeletionTimestamp is not null && j.Metadata.Finalizers?.Contains("foregroundDeletion") == true);
    }

    [Fact]
    public async Task JobWithoutTtl_OrUnfinished_IsKept()
    {
        await using var h = await ControllerHarness.StartAsync([JobController(), .. BuiltInControllers.Select(["ttl-after-finished", "garbagecollector"])]);
        await using var kubelet = await JobKubelet.StartAsync(h.Clientset, p => p.Metadata.Labels["batch.kubernetes.io/job-name"] == "stays" ? PodOutcome.Succeed : null);
        var ns = await h.NamespaceAsync();
        var jobs = h.Clientset.Resource<V1Job, V1JobList>(ns);
        await jobs.CreateAsync(NewJob("stays"));
        var pending = NewJob("pending");
        pending.Spec.TtlSecondsAfterFinished = 0;
        await jobs.CreateAsync(pending);
        var marker = NewJob("marker");
        marker.Spec.TtlSecondsAfterFinished = 0;

        await ListWatch.UntilAsync(jobs, l => l.Any(j => j.Metadata.Name == "stays" && Has(j, JobConditions.Complete)));

        // A finished Job with a TTL, created last, is deleted: the ones before it were looked at and kept.
        kubelet.Outcome = p => p.Metadata.Labels["batch.kubernetes.io/job-name"] is "stays" or "marker" ? PodOutcome.Succeed : null;
        var seen = new HashSet<string>();
        var markerGone = ListWatch.UntilAsync(jobs, l =>
        {
            seen.UnionWith(l.Select(j => j.Metadata.Name));
            return seen.Contains("marker") && l.All(j => j.Metadata.Name != "marker");
        });
        await jobs.CreateAsync(marker);
        var left = await markerGone;
        Assert.Equal(["pending", "stays"], left.Select(j => j.Metadata.Name).Order());
    }

    [Fact]
    public void FinishTime_IsTheTerminalConditionsTransitionTime()
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var job = NewJob("j");
        job.Spec.TtlSecondsAfterFinished = 100;
        Assert.False(TtlAfterFinishedController.NeedsCleanup(job));
        job.Status = new V1JobStatus
        {
            Conditions =
            [
                new V1JobCondition { Type = "SuccessCriteriaMet", Status = "True", LastTransitionTime = at.AddSeconds(-1) },
                new V1JobCondition { Type = "Complete", Status = "True", LastTransitionTime = at },
            ],
        };
        Assert.True(TtlAfterFinishedController.NeedsCleanup(job));
        Assert.Equal(new DateTimeOffset(at), TtlAfterFinishedController.FinishTime(job));
        job.Status.Conditions[1].LastTransitionTime = null;
        Assert.Throws<InvalidOperationException>(() => { _ = TtlAfterFinishedController.FinishTime(job); });
    }
}
