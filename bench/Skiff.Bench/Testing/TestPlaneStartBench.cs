using System.Diagnostics;
using Skiff.Testing;

namespace Skiff.Bench.Testing;

/// <summary>
/// <c>testplane-start [--runs 20] [--process-runs 3]</c>: how long <see cref="SkiffTestCluster.StartAsync(CancellationToken)"/>
/// takes in a test process. Reports the first start of the process separately (JIT, the per-process test PKI), then
/// medians of <c>--runs</c> starts of an API server alone (and of its dispose), of the same when the bootstrap snapshot
/// leaves out the API Priority and Fairness objects (the baseline of their restore), of the same with a freshly generated PKI
/// each time (<c>WithIsolatedPki</c>, what the PKI cache saves), and of a cluster with every default controller, the
/// scheduler and two hollow nodes; and, for scale, the median time for the <c>skiff apiserver</c> process to be ready
/// (<c>--process-runs</c>; 0 skips it) with the ratio between the two. The CPU column (the process's CPU time during
/// the start, all threads) is what to compare on a loaded machine, where wall-clock times stretch.
/// </summary>
internal static class TestPlaneStartBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var runs = BenchArgs.Int(args, "--runs", 20);
        var processRuns = BenchArgs.Int(args, "--process-runs", 3);

        var first = await TimeStartAsync(null, ct);
        Console.WriteLine($"first start in this process (JIT, test PKI generation): {first.StartMs:F0} ms, CPU {first.CpuMs:F0} ms (dispose {first.StopMs:F0} ms)");

        // Baseline in the same run: the snapshot without the APF objects (the server's ensurer writes them at start).
        BootstrapSnapshot.IncludeFlowControl = false;
        var withoutApf = await SeriesAsync("API server only, APF bootstrap written at start", runs, null, ct);
        BootstrapSnapshot.IncludeFlowControl = true;
        var apiOnly = await SeriesAsync("API server only", runs, null, ct);
        var isolated = await SeriesAsync("API server only, fresh PKI each start", runs, o => o.WithIsolatedPki(), ct);
        var full = await SeriesAsync("controllers + scheduler + 2 hollow nodes", Math.Max(1, runs / 4), o => o.WithControllers().WithScheduler().WithHollowNodes(2), ct);

        Console.WriteLine();
        Console.WriteLine("| test plane start (in process) | runs | median ms | min ms | max ms | CPU median ms | dispose median ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| first start of the process | 1 | {first.StartMs:F0} | | | {first.CpuMs:F0} | {first.StopMs:F0} |");
        foreach (var (name, list) in new[] { ("API server only, APF bootstrap written at start (snapshot without it)", withoutApf), ("API server only", apiOnly), ("API server only, fresh PKI (WithIsolatedPki)", isolated), ("controllers + scheduler + 2 hollow nodes", full) })
        {
            Console.WriteLine($"| {name} | {list.Count} | {Median(list.Select(r => r.StartMs)):F0} | {list.Min(r => r.StartMs):F0} | {list.Max(r => r.StartMs):F0} | {Median(list.Select(r => r.CpuMs)):F0} | {Median(list.Select(r => r.StopMs)):F0} |");
        }

        if (processRuns > 0)
        {
            var skiff = Path.Combine(AppContext.BaseDirectory, "skiff.dll");
            var ready = new List<double>();
            for (var i = 0; i < processRuns; i++)
            {
                ready.Add((await Startup.StartupBench.MeasureAsync(skiff, "apiserver", "memory", TimeSpan.Zero, ct)).ReadyMs);
            }

            var process = Median(ready);
            Console.WriteLine($"| `skiff apiserver` process, to ready (memory store) | {processRuns} | {process:F0} | {ready.Min():F0} | {ready.Max():F0} | | |");
            Console.WriteLine();
            Console.WriteLine($"process start / in-process start (medians): {process / Median(apiOnly.Select(r => r.StartMs)):F1}x");
        }

        return 0;
    }

    private static async Task<List<(double StartMs, double StopMs, double CpuMs)>> SeriesAsync(string name, int runs, Action<SkiffTestClusterOptions>? configure, CancellationToken ct)
    {
        var results = new List<(double StartMs, double StopMs, double CpuMs)>();
        for (var i = 0; i < runs; i++)
        {
            results.Add(await TimeStartAsync(configure, ct));
        }

        Console.WriteLine($"{name}: median start {Median(results.Select(r => r.StartMs)):F0} ms over {runs} runs");
        return results;
    }

    private static async Task<(double StartMs, double StopMs, double CpuMs)> TimeStartAsync(Action<SkiffTestClusterOptions>? configure, CancellationToken ct)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var cluster = await SkiffTestCluster.StartAsync(configure, ct);
        var start = watch.Elapsed.TotalMilliseconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;

        // A first request, so a start that returned before serving would not look fast.
        _ = await cluster.Clientset.CoreV1().Namespaces().GetAsync("default", ct: ct);
        watch.Restart();
        await cluster.DisposeAsync();
        return (start, watch.Elapsed.TotalMilliseconds, cpuMs);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
