using System.Diagnostics;
using k8s;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Options;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Bench.Controllers;

/// <summary>
/// The Job controller at scale: a Job of N completions (default 1,000) with parallelism P (default 100) on an
/// in-process server (HTTPS, memory store) and a fake kubelet that reports every pod Succeeded at once, timed from the
/// Job's creation until it has the Complete condition. Reports the wall time and the process CPU time spent meanwhile
/// (server, fake kubelet and controller together; the same run also times the fake kubelet and server alone on N
/// plain pods, so the difference approximates the controller's share). Upstream's timings (1 s sync batching).
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- job [--completions 1000] [--parallelism 100] [--runs 3]</c>.
/// </summary>
public static class JobBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var completions = BenchArgs.Int(args, "--completions", 1000);
        var parallelism = BenchArgs.Int(args, "--parallelism", 100);
        var runs = BenchArgs.Int(args, "--runs", 3);
        Console.WriteLine($"job bench: {completions} completions, parallelism {parallelism}, fake kubelet (pods succeed at once), in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        await using var controllers = BenchControllerManager.Register(server, ["job"]);
        await using var kubelet = await BenchJobKubelet.StartAsync(server.Clientset()).ConfigureAwait(false);
        await controllers.StartAsync(ct).ConfigureAwait(false);

        var samples = new List<(double Seconds, double CpuSeconds, double PlainCpuSeconds)>();
        for (var run = -1; run < runs; run++)
        {
            var (seconds, cpu) = await OneJobAsync(cs, completions, parallelism, $"bench-job-{run + 1}", ct).ConfigureAwait(false);
            var plainCpu = await PlainPodsAsync(cs, completions, $"bench-job-plain-{run + 1}", ct).ConfigureAwait(false);
            Console.WriteLine($"  run {run + 1}{(run < 0 ? " (warm-up)" : "")}: {seconds:0.00} s wall, {cpu:0.00} s process CPU; fake kubelet and server alone on {completions} plain pods: {plainCpu:0.00} s CPU");
            if (run >= 0)
            {
                samples.Add((seconds, cpu, plainCpu));
            }
        }

        var syncer = controllers.Controller("job");
        Console.WriteLine($"  job controller: {syncer.Reconciles} syncs, {syncer.Errors} failed (each retried after 1 s, doubling: upstream's queue)");
        await controllers.StopAsync().ConfigureAwait(false);
        var wall = Stats.Median([.. samples.Select(s => s.Seconds)]);
        var cpuMedian = Stats.Median([.. samples.Select(s => s.CpuSeconds)]);
        var plain = Stats.Median([.. samples.Select(s => s.PlainCpuSeconds)]);
        Console.WriteLine($"Job of {completions} completions, parallelism {parallelism}: {wall:0.00} s wall ({completions / wall:0} pods/s), "
            + $"{cpuMedian:0.00} s process CPU; without the controller {plain:0.00} s, so the controller's share ≈ {cpuMedian - plain:0.00} s ({runs} runs, medians)");
    }

    private static async Task<(double Seconds, double CpuSeconds)> OneJobAsync(Clientset cs, int completions, int parallelism, string ns, CancellationToken ct)
    {
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var jobs = cs.Resource<V1Job, V1JobList>(ns);
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "bench" },
            Spec = new V1JobSpec
            {
                Completions = completions,
                Parallelism = parallelism,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                },
            },
        };
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var created = await jobs.CreateAsync(job, ct: ct).ConfigureAwait(false);
        await UntilCompleteAsync(jobs, created.Metadata.ResourceVersion, ct).ConfigureAwait(false);
        var seconds = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (seconds, (process.TotalProcessorTime - cpu0).TotalSeconds);
    }

    /// <summary>The same pods without a Job: created in slow-start batches, made Succeeded by the fake kubelet.</summary>
    private static async Task<double> PlainPodsAsync(Clientset cs, int count, string ns, CancellationToken ct)
    {
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var pods = cs.CoreV1().Pods(ns);
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var list = await pods.ListAsync(ct: ct).ConfigureAwait(false);
        var watching = UntilSucceededAsync(pods, count, list.Metadata.ResourceVersion, ct);
        for (int done = 0, size = 1; done < count; done += size, size *= 2)
        {
            var n = Math.Min(size, count - done);
            await Task.WhenAll(Enumerable.Range(0, n).Select(_ => pods.CreateAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { GenerateName = "plain-" },
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            }, ct: ct))).ConfigureAwait(false);
            size = n;
        }

        await watching.ConfigureAwait(false);
        process.Refresh();
        return (process.TotalProcessorTime - cpu0).TotalSeconds;
    }

    private static async Task UntilCompleteAsync(ResourceClient<V1Job, V1JobList> jobs, string rv, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        while (true)
        {
            await foreach (var e in jobs.WatchAsync(new ListOptions { ResourceVersion = rv }, timeout.Token).ConfigureAwait(false))
            {
                if (e.Type == WatchEventType.Bookmark)
                {
                    continue;
                }

                rv = e.Object.Metadata.ResourceVersion;
                if (e.Object.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true)
                {
                    return;
                }
            }
        }
    }

    private static async Task UntilSucceededAsync(ResourceClient<V1Pod, V1PodList> pods, int count, string rv, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            await foreach (var e in pods.WatchAsync(new ListOptions { ResourceVersion = rv }, timeout.Token).ConfigureAwait(false))
            {
                if (e.Type == WatchEventType.Bookmark)
                {
                    continue;
                }

                rv = e.Object.Metadata.ResourceVersion;
                if (e.Object.Status?.Phase == "Succeeded" && succeeded.Add(e.Object.Metadata.Name) && succeeded.Count >= count)
                {
                    return;
                }
            }
        }
    }
}
