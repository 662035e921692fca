using System.Collections.Concurrent;
using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Options;
using Skiff.Cri;
using Skiff.Kubelet;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Network;
using Skiff.Kubelet.Pods;

namespace Skiff.Bench.Kubelet;

/// <summary>
/// The real kubelet on containerd (started under a temp dir, images built from busybox-static and imported): creates
/// <c>--pods</c> pods (default 50; busybox <c>sleep</c>, image present) bound to the node and reports the startup latency
/// p50/p99 from the create call to Running seen on a watch, then the process's CPU and memory over a window with all
/// pods running (the process also hosts the API server; the kubelet's own share is the heap of its objects).
/// Run (root): <c>dotnet run -c Release --project bench/Skiff.Bench -- kubelet [--pods 50] [--window 20] [--parallel N]</c>
/// (<c>--parallel</c>: <see cref="KubeletOptions.MaxParallelPodStarts"/>, default the kubelet's).
/// </summary>
public static class RealKubeletBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!ContainerdSupervisor.CanStart() || !SkiffImages.CanBuild)
        {
            Console.Error.WriteLine("kubelet bench: needs root, /usr/bin/containerd and busybox-static");
            return 1;
        }

        var podCount = BenchArgs.Int(args, "--pods", 50);
        var window = TimeSpan.FromSeconds(BenchArgs.Int(args, "--window", 20));
        var dir = Path.Combine("/tmp", "skb-" + Guid.NewGuid().ToString("N")[..8]);
        await using var containerd = await ContainerdSupervisor.StartAsync(new ContainerdConfig { Directory = dir }, null, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        using (var cri = CriConnection.Connect(containerd.Endpoint))
        {
            await ImageImporter.EnsureAsync(cri, SkiffImages.PauseImage, containerd.Config.Snapshotter, Path.Combine(dir, "images"), ct).ConfigureAwait(false);
            await ImageImporter.EnsureAsync(cri, SkiffImages.BusyboxImage, containerd.Config.Snapshotter, Path.Combine(dir, "images"), ct).ConfigureAwait(false);
        }

        var cidr = "10.240.0.0/24";
        await CniConfigWriter.WriteAsync(containerd.Config.CniConfDirectory, cidr, "skb0", ct).ConfigureAwait(false);
        await using var server = await BenchServer.StartAsync(["ServiceAccount"], ct).ConfigureAwait(false); // no serviceaccount controller here
        using var cs = server.Clientset();
        var options = new KubeletOptions { NodeName = "bench-node", RootDirectory = Path.Combine(dir, "kubelet"), PodCidr = cidr, Bridge = "skb0", ShutdownGracePeriod = TimeSpan.FromSeconds(20) };
        if (BenchArgs.Int(args, "--parallel", 0) is > 0 and var parallel)
        {
            options = options with { MaxParallelPodStarts = parallel };
        }

        var kubelet = await RealKubelet.StartAsync(server.Clientset(), containerd.Endpoint, containerd.Config.CniConfDirectory, options, null, null, ct).ConfigureAwait(false);
        Console.WriteLine($"kubelet bench: {podCount} pods, {options.MaxParallelPodStarts} first starts at once, on containerd {containerd.Version} ({containerd.Config.Snapshotter}); .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        try
        {
            var created = new ConcurrentDictionary<string, long>();
            var running = new ConcurrentDictionary<string, TimeSpan>();
            using var stopWatch = new CancellationTokenSource();
            var allRunning = new TaskCompletionSource();
            var watch = Task.Run(async () =>
            {
                try
                {
                    await foreach (var e in cs.CoreV1().Pods("default").WatchAsync(new ListOptions(), stopWatch.Token).ConfigureAwait(false))
                    {
                        if (e.Object.Status?.Phase == "Running" && created.TryGetValue(e.Object.Metadata.Name, out var t0) &&
                            running.TryAdd(e.Object.Metadata.Name, Stopwatch.GetElapsedTime(t0)) && running.Count == podCount)
                        {
                            allRunning.TrySetResult();
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // Done.
                }
            }, CancellationToken.None);
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForAsync(0, podCount, new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = ct }, async (i, c) =>
            {
                var name = $"p{i}";
                created[name] = Stopwatch.GetTimestamp();
                await cs.CoreV1().Pods("default").CreateAsync(new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = name },
                    Spec = new V1PodSpec
                    {
                        NodeName = "bench-node",
                        TerminationGracePeriodSeconds = 1,
                        Containers = [new V1Container { Name = "c", Image = SkiffImages.BusyboxImage, ImagePullPolicy = "IfNotPresent", Command = ["sleep", "3600"] }],
                    },
                }, ct: c).ConfigureAwait(false);
            }).ConfigureAwait(false);
            await allRunning.Task.WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
            var total = Stopwatch.GetElapsedTime(started);
            var sorted = running.Values.Order().ToList();
            Console.WriteLine($"startup latency (create → Running on a watch): p50 {Pct(sorted, 0.50).TotalMilliseconds:0} ms, p99 {Pct(sorted, 0.99).TotalMilliseconds:0} ms, max {sorted[^1].TotalMilliseconds:0} ms; all {podCount} running after {total.TotalSeconds:0.0} s");

            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Task.Delay(window, ct).ConfigureAwait(false); // the measurement window, not synchronisation
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpu0;
            GC.Collect();
            Console.WriteLine($"steady state with {podCount} pods over {sw.Elapsed.TotalSeconds:0} s: process CPU {cpu.TotalMilliseconds / sw.Elapsed.TotalSeconds / 10:0.0}% of one core (kubelet + in-process API server), working set {process.WorkingSet64 / (1 << 20)} MiB, GC heap {GC.GetTotalMemory(false) / (1 << 20)} MiB");
            await stopWatch.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
        finally
        {
            await kubelet.DisposeAsync().ConfigureAwait(false);
        }

        return 0;
    }

    private static TimeSpan Pct(List<TimeSpan> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
