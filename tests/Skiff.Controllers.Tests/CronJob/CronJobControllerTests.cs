using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;
using Skiff.Controllers.CronJob;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.CronJob;

public sealed class CronJobControllerTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["cronjob"]);

    [Fact]
    public async Task EveryMinute_FiresAtTheNextMinute_ForbidSkipsWhileOneRuns_ThenRecordsSuccess()
    {
        // The fake clock starts an hour behind the server's, so nothing is due until the test moves it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var h = await ControllerHarness.StartAsync(Controllers, time);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, CronJobYaml("tick", "*/1 * * * *", "concurrencyPolicy: Forbid"));
        var cj = await CronJobs(h, ns).GetAsync("tick");
        var m1 = NextMinute(cj.Metadata.CreationTimestamp!.Value);

        await UntilRequeuedAsync(h);
        time.SetUtcNow(m1.AddSeconds(1));
        var jobs = await ListWatch.UntilAsync(Jobs(h, ns), l => l.Count == 1);
        var job = jobs[0];
        Assert.Equal($"tick-{m1.ToUnixTimeSeconds() / 60}", job.Metadata.Name);
        Assert.Equal(m1.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), job.Metadata.Annotations[CronJobNames.ScheduledTimestampAnnotation]);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("CronJob", "tick", cj.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));
        await ListWatch.UntilAsync(CronJobs(h, ns), l => l.Single().Status is { Active.Count: 1 } s && s.LastScheduleTime == m1.UtcDateTime);

        // Forbid: the next minute comes while the first Job still runs.
        await UntilRequeuedAsync(h);
        time.SetUtcNow(m1.AddMinutes(1).AddSeconds(1));
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "JobAlreadyActive"));
        Assert.Single((await Jobs(h, ns).ListAsync()).Items);

        // The Job completes: it leaves status.active and sets lastSuccessfulTime; the activation Forbid skipped is still
        // unmet (lastScheduleTime did not move), so it starts now, late, as upstream's does.
        var done = m1.AddSeconds(30).UtcDateTime;
        await Jobs(h, ns).PatchAsync(job.Metadata.Name, PatchType.Merge, new
        {
            status = new
            {
                startTime = m1.UtcDateTime,
                completionTime = done,
                succeeded = 1,
                conditions = new[] { new { type = "Complete", status = "True", lastTransitionTime = done, lastProbeTime = done } },
            },
        }, subresource: "status");
        var late = $"tick-{m1.AddMinutes(1).ToUnixTimeSeconds() / 60}";
        var status = (await ListWatch.UntilAsync(CronJobs(h, ns), l => l.Single().Status is { LastSuccessfulTime: not null, Active: [{ } a] } && a.Name == late))[0].Status;
        Assert.Equal(done, status.LastSuccessfulTime);
        Assert.Equal(m1.AddMinutes(1).UtcDateTime, status.LastScheduleTime);

        // kubectl create job --from=cronjob/... is client-side: it copies the template with the manual annotation.
        await h.Kubectl.OkAsync("create", "job", "manual", "--from=cronjob/tick", "-n", ns);
        var manual = await Jobs(h, ns).GetAsync("manual");
        Assert.Equal("manual", manual.Metadata.Annotations["cronjob.kubernetes.io/instantiate"]);
        Assert.Equal("tick", Assert.Single(manual.Metadata.OwnerReferences).Name);
    }

    [Fact]
    public async Task Replace_DeletesTheRunningJobAndStartsTheNext()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var h = await ControllerHarness.StartAsync(Controllers, time);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, CronJobYaml("swap", "* * * * *", "concurrencyPolicy: Replace"));
        var m1 = NextMinute((await CronJobs(h, ns).GetAsync("swap")).Metadata.CreationTimestamp!.Value);

        // Every jump waits for the controller to park its next activation first: a sync that read the clock before the
        // jump would register its (relative) requeue after it, past the new time, and nothing would move the clock again.
        await UntilRequeuedAsync(h);
        time.SetUtcNow(m1.AddSeconds(1));
        var first = (await ListWatch.UntilAsync(Jobs(h, ns), l => l.Count == 1))[0].Metadata.Name;
        await ListWatch.UntilAsync(CronJobs(h, ns), l => l.Single().Status?.Active?.Count == 1);
        await UntilRequeuedAsync(h);
        time.SetUtcNow(m1.AddMinutes(1).AddSeconds(1));
        var second = $"swap-{m1.AddMinutes(1).ToUnixTimeSeconds() / 60}";
        await ListWatch.UntilAsync(Jobs(h, ns), l => l.Count == 1 && l[0].Metadata.Name == second);
        var status = (await ListWatch.UntilAsync(CronJobs(h, ns), l => l.Single().Status?.Active?.Count == 1 && l.Single().Status.Active[0].Name == second))[0].Status;
        Assert.NotEqual(first, second);
        Assert.Equal(m1.AddMinutes(1).UtcDateTime, status.LastScheduleTime);
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "SuccessfulDelete" && e.Message == $"Deleted job {first}"));
    }

    [Fact]
    public async Task HistoryLimits_DeleteTheOldestFinishedJobs()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, CronJobYaml("hist", "0 0 1 1 *", "suspend: true\n  successfulJobsHistoryLimit: 1\n  failedJobsHistoryLimit: 1"));
        var cj = await CronJobs(h, ns).GetAsync("hist");
        var start = DateTime.UtcNow.AddHours(-5);
        foreach (var (name, kind, age) in new[] { ("ok-old", "Complete", 4), ("ok-new", "Complete", 1), ("bad-old", "Failed", 3), ("bad-new", "Failed", 2) })
        {
            var job = CronJobNames.JobFor(cj, DateTimeOffset.UtcNow, TimeZoneInfo.Utc);
            job.Metadata.Name = name;
            await Jobs(h, ns).CreateAsync(job);
            var at = start.AddHours(4 - age);
            await Jobs(h, ns).PatchAsync(name, PatchType.Merge, new
            {
                status = new { startTime = at, conditions = new[] { new { type = kind, status = "True", lastTransitionTime = at, lastProbeTime = at } } },
            }, subresource: "status");
        }

        var left = await ListWatch.UntilAsync(Jobs(h, ns), l => l.Count == 2);
        Assert.Equal(["bad-new", "ok-new"], left.Select(j => j.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TimeZone_SchedulesInTheNamedZone_AndTheServerRefusesTzPrefixes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-2));
        await using var h = await ControllerHarness.StartAsync(Controllers, time);
        var ns = await h.NamespaceAsync();
        await ApplyAsync(h, ns, CronJobYaml("sh", "0 9 * * *", "timeZone: Asia/Shanghai"));
        var created = (await CronJobs(h, ns).GetAsync("sh")).Metadata.CreationTimestamp!.Value;

        // 09:00 in Shanghai (UTC+8, no DST) is 01:00 UTC.
        var due = new DateTimeOffset(created.Date.AddHours(1), TimeSpan.Zero);
        if (due <= new DateTimeOffset(created, TimeSpan.Zero))
        {
            due = due.AddDays(1);
        }

        await UntilRequeuedAsync(h);
        time.SetUtcNow(due.AddSeconds(1));
        var job = (await ListWatch.UntilAsync(Jobs(h, ns), l => l.Count == 1))[0];
        Assert.Equal($"sh-{due.ToUnixTimeSeconds() / 60}", job.Metadata.Name);
        Assert.EndsWith("T09:00:00+08:00", job.Metadata.Annotations[CronJobNames.ScheduledTimestampAnnotation], StringComparison.Ordinal);

        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], CronJobYaml("tz", "CRON_TZ=UTC 0 * * * *", "suspend: false"));
        Assert.NotEqual(0, exit);
        Assert.Contains("cannot use TZ or CRON_TZ in schedule, use timeZone field instead", err, StringComparison.Ordinal);
        (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], CronJobYaml("mars", "@hourly", "timeZone: Mars/Olympus_Mons"));
        Assert.NotEqual(0, exit);
        Assert.Contains("unknown time zone Mars/Olympus_Mons", err, StringComparison.Ordinal);
        (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], CronJobYaml("bad", "61 * * * *", "suspend: false"));
        Assert.NotEqual(0, exit);
        Assert.Contains("spec.schedule", err, StringComparison.Ordinal);
    }

    /// <summary>The first whole minute strictly after <paramref name="t"/>.</summary>
    private static DateTimeOffset NextMinute(DateTime t)
    {
        var utc = new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc));
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero).AddMinutes(1);
    }

    /// <summary>
    /// Waits (with a deadline) until the cronjob controller has parked its next activation in the delaying queue and has
    /// nothing else queued, so moving the fake clock fires exactly that activation.
    /// </summary>
    private static async Task UntilRequeuedAsync(ControllerHarness h)
    {
        var queue = (DelayingQueue<ReconcileRequest>)h.Manager.Controllers.Single(c => c.Name == "cronjob").Queue;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Idle with the next schedule waiting: nothing queued and nothing being reconciled (a reconcile still running on a
        // stale cache when the clock jumps would act on the old status).
        while (!(queue.WaitingCount > 0 && queue.Count == 0 && queue.ProcessingCount == 0))
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    private static ResourceClient<V1CronJob, V1CronJobList> CronJobs(ControllerHarness h, string ns) => h.Clientset.Resource<V1CronJob, V1CronJobList>(ns);

    private static ResourceClient<V1Job, V1JobList> Jobs(ControllerHarness h, string ns) => h.Clientset.Resource<V1Job, V1JobList>(ns);

    private static async Task ApplyAsync(ControllerHarness h, string ns, string yaml)
    {
        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], yaml);
        Assert.True(exit == 0, err);
    }

    private static string CronJobYaml(string name, string schedule, string extra) => $$"""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: {{name}}}
        spec:
          schedule: "{{schedule}}"
          {{extra}}
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: c, image: busybox, command: ["true"]}]
        """;
}
