using System.Diagnostics;
using System.Globalization;

namespace Skiff.Bench.Startup;

/// <summary>
/// <c>gc-candidates [--candidates "default;DOTNET_gcConcurrent=0;DOTNET_gcServer=1,DOTNET_GCHeapCount=1"] [--runs 3]
/// [--idle-seconds 60] [--storage sqlite]</c>: the runtime settings candidates for <c>skiff up</c> (control plane only:
/// <c>--runtime none</c>, DNS on a free loopback port) side by side. A candidate is a comma-separated list of
/// environment variables (<c>default</c>: none added) given to the real binary; the runtimeconfig of the built
/// <c>skiff</c> applies under them, as for a user. Each run starts every candidate one after another (the order rotates
/// per run), records the time to "Local Kubernetes cluster is running", keeps it idling, and after
/// <c>--idle-seconds</c> from its ready line reads its <c>VmRSS</c>; then all are stopped. Idle processes overlap so
/// that a 60 s idle costs 60 s a run, not 60 s a candidate; the start-up times are measured beside idle ones.
/// </summary>
internal static class GcCandidatesBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var runs = BenchArgs.Int(args, "--runs", 3);
        var idle = TimeSpan.FromSeconds(BenchArgs.Int(args, "--idle-seconds", 60));
        var storage = Arg(args, "--storage") ?? "sqlite";
        var candidates = (Arg(args, "--candidates") ?? "default;DOTNET_gcConcurrent=0;DOTNET_GCgen0size=0x2000000;DOTNET_GCgen0size=0x4000000;DOTNET_gcServer=1;DOTNET_GCConserveMemory=5")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var skiff = Path.Combine(AppContext.BaseDirectory, "skiff.dll");
        var results = candidates.ToDictionary(c => c, _ => new List<(double ReadyMs, double RssMb)>(), StringComparer.Ordinal);
        Console.WriteLine($"gc-candidates: skiff up --storage {storage} --runtime none, idle {idle.TotalSeconds:F0} s, {runs} runs; bench {Skiff.Cli.RuntimeSettings.Summary()}");
        for (var run = 0; run < runs; run++)
        {
            var order = candidates.Skip(run % candidates.Length).Concat(candidates.Take(run % candidates.Length)).ToArray();
            var started = new List<(string Candidate, Running Process, double ReadyMs)>();
            try
            {
                foreach (var candidate in order)
                {
                    var p = await Running.StartAsync(skiff, storage, candidate, ct);
                    started.Add((candidate, p, p.ReadyMs));
                }

                foreach (var (candidate, p, readyMs) in started)
                {
                    var wait = p.ReadyAt + idle - DateTime.UtcNow;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, ct); // idling is what is measured here
                    }

                    var rss = StartupBench.ResidentMegabytes(p.Pid);
                    results[candidate].Add((readyMs, rss));
                    Console.WriteLine($"run {run + 1} {candidate,-40}: ready {readyMs,7:F0} ms, idle RSS {rss,6:F1} MB  load {Skiff.Bench.Api.AuthzAdmissionBench.LoadAverage()}");
                }
            }
            finally
            {
                foreach (var s in started)
                {
                    await s.Process.DisposeAsync();
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| candidate (skiff up, {storage}, {runs} runs, medians) | ready ms | idle RSS MB ({idle.TotalSeconds:F0} s) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (candidate, list) in results)
        {
            Console.WriteLine($"| {candidate} | {StartupBench.Median(list.Select(r => r.ReadyMs)):F0} | {StartupBench.Median(list.Select(r => r.RssMb)):F1} |");
        }

        Console.WriteLine($"load average {Skiff.Bench.Api.AuthzAdmissionBench.LoadAverage()}");
        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>One <c>skiff up</c> with a candidate's environment, on its own data directory and port.</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private Running(Process process, string dir, double readyMs)
        {
            _process = process;
            _dir = dir;
            ReadyMs = readyMs;
            ReadyAt = DateTime.UtcNow;
        }

        public int Pid => _process.Id;

        public double ReadyMs { get; }

        public DateTime ReadyAt { get; }

        public static async Task<Running> StartAsync(string skiff, string storage, string candidate, CancellationToken ct)
        {
            var dir = Path.Combine(Path.GetTempPath(), "skiff-gc-" + Guid.NewGuid().ToString("N")[..8]);
            var environment = candidate == "default"
                ? new Dictionary<string, string>()
                : candidate.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(pair => pair.Split('=', 2))
                    .ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
            var (process, readyMs) = await StartupBench.StartSkiffAsync(
                [
                    skiff, "up", "--data-dir", dir, "--port", StartupBench.FreePort().ToString(CultureInfo.InvariantCulture), "--storage", storage,
                    "--runtime", "none", "--cluster-dns-bind", "127.0.0.1:0",
                ],
                environment, TimeSpan.FromSeconds(120), ct);
            return new Running(process, dir, readyMs);
        }

        public async ValueTask DisposeAsync()
        {
            await StartupBench.StopAsync(_process, CancellationToken.None);
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}
