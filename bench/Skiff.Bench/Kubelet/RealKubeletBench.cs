using System.Collections.Concurrent;
using System.Diagnostics;
using Skiff.Bench.Client;
using Skiff.Client.Typed;
using Skiff.Cri;
using Skiff.Kubelet;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Network;
using Skiff.Kubelet.Pods;

namespace Skiff.Bench.Kubelet;

/// <summary>
/// Issue 12's pod start-up benchmark on the real kubelet and containerd (started under a temp dir, images built from
/// busybox-static and imported, so every image is present): <c>--pods</c> pods (default 50; busybox <c>sleep</c>,
/// <c>IfNotPresent</c>) bound to the node, created (a) <b>burst</b>: all at once (10 concurrent creates), and (b)
/// <b>paced</b>: at <c>--rate</c> pods/s (default 5, as clusterloader2's pod-startup-latency measurement creates its
/// latency pods at a bounded throughput). Each of <c>--runs</c> runs (default 3) reports the start-up latency p50/p99
/// from the create call to Running seen on a watch, where a median pod's start went (the kubelet's
/// <see cref="PodStartTrace"/>: steps from the worker seeing the pod to its Running status write, plus create → seen and
/// written → watch), and the CPU seconds the start cost the bench process (kubelet + in-process API server), containerd
/// (+ the CNI plugins it ran) and the shims (+ runc). After the first mode's last run, with all pods running, the
/// steady state over <c>--window</c> seconds (default 20): CPU and memory of each.
/// Run (root): <c>dotnet run -c Release --project bench/Skiff.Bench -- kubelet [--pods 50] [--runs 3] [--mode burst|paced|both]
/// [--rate 5] [--window 20] [--parallel N] [--per-pod-masq]</c> (<c>--parallel</c>: <see cref="KubeletOptions.MaxParallelPodStarts"/>;
/// <c>--per-pod-masq</c>: the CNI bridge plugin's <c>ipMasq</c> instead of <see cref="NodeMasquerade"/>, for comparison).
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

        var settings = new PodStartSettings(
            Pods: BenchArgs.Int(args, "--pods", 50),
            Rate: BenchArgs.Int(args, "--rate", 5),
            Window: TimeSpan.FromSeconds(BenchArgs.Int(args, "--window", 20)));
        var runs = BenchArgs.Int(args, "--runs", 3);
        var modeIndex = Array.IndexOf(args, "--mode");
        var modes = modeIndex >= 0 && modeIndex + 1 < args.Length && args[modeIndex + 1] != "both" ? [args[modeIndex + 1]] : new[] { "burst", "paced" };
        var dir = Path.Combine("/tmp", "skb-" + Guid.NewGuid().ToString("N")[..8]);
        var bridge = "skb" + dir[^6..];
        await using var containerd = await ContainerdSupervisor.StartAsync(new ContainerdConfig { Directory = dir }, null, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        using (var cri = CriConnection.Connect(containerd.Endpoint))
        {
            await ImageImporter.EnsureAsync(cri, SkiffImages.PauseImage, containerd.Config.Snapshotter, Path.Combine(dir, "images"), ct).ConfigureAwait(false);
            await ImageImporter.EnsureAsync(cri, SkiffImages.BusyboxImage, containerd.Config.Snapshotter, Path.Combine(dir, "images"), ct).ConfigureAwait(false);
        }

        var cidr = "10.240.0.0/24";
        await CniConfigWriter.WriteAsync(containerd.Config.CniConfDirectory, cidr, bridge, ct).ConfigureAwait(false);
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        var traces = new ConcurrentQueue<PodStartTrace>();
        var options = new KubeletOptions
        {
            NodeName = "bench-node",
            RootDirectory = Path.Combine(dir, "kubelet"),
            PodCidr = cidr,
            Bridge = bridge,
            ShutdownGracePeriod = TimeSpan.FromSeconds(20),
            NodeMasquerade = !args.Contains("--per-pod-masq"),
            PodStarted = traces.Enqueue,
        };
        if (BenchArgs.Int(args, "--parallel", 0) is > 0 and var parallel)
        {
            options = options with { MaxParallelPodStarts = parallel };
        }

        var kubelet = await RealKubelet.StartAsync(server.Clientset(), containerd.Endpoint, containerd.Config.CniConfDirectory, options, null, null, ct).ConfigureAwait(false);
        Console.WriteLine($"kubelet bench: {settings.Pods} pods, {runs} run(s) per mode ({string.Join(", ", modes)}; paced at {settings.Rate} pods/s), " +
            $"{options.MaxParallelPodStarts} first starts at once, egress masquerade {(options.NodeMasquerade ? "node-wide rule" : "per pod (bridge ipMasq)")}, " +
            $"on containerd {containerd.Version} ({containerd.Config.Snapshotter}); .NET {Environment.Version}; {Environment.ProcessorCount} cpus; load {PodStartRun.LoadAverage()}");
        try
        {
            var run = new PodStartRun(cs, containerd, traces, settings);
            var summary = new Dictionary<string, List<(TimeSpan P50, TimeSpan P99)>>(StringComparer.Ordinal);
            foreach (var mode in modes)
            {
                for (var r = 1; r <= runs; r++)
                {
                    var result = await run.StartPodsAsync(mode, r, ct).ConfigureAwait(false);
                    Console.WriteLine($"{mode} run {r}/{runs}: {result.Describe()}");
                    (summary.TryGetValue(mode, out var l) ? l : summary[mode] = []).Add((result.P50, result.P99));
                    if (mode == modes[0] && r == runs)
                    {
                        Console.WriteLine(await run.SteadyStateAsync(ct).ConfigureAwait(false));
                    }

                    await run.DeletePodsAsync(ct).ConfigureAwait(false);
                }
            }

            foreach (var (mode, list) in summary)
            {
                Console.WriteLine($"{mode}: median over {list.Count} run(s): p50 {Median(list.Select(x => x.P50)).TotalMilliseconds:0} ms, p99 {Median(list.Select(x => x.P99)).TotalMilliseconds:0} ms (load {PodStartRun.LoadAverage()})");
            }
        }
        finally
        {
            await kubelet.DisposeAsync().ConfigureAwait(false);
            await DeleteLinkAsync(bridge).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Removes the run's bridge (each run has its own; a left-over bridge on the same CIDR would shadow the next).</summary>
    private static async Task DeleteLinkAsync(string name)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", ["link", "del", name]) { UseShellExecute = false, RedirectStandardError = true });
        if (p is not null)
        {
            await p.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[(sorted.Count - 1) / 2];
    }
}
