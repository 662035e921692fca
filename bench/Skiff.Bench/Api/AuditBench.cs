using System.Diagnostics;
using k8s.Models;
using Skiff.ApiServer.Audit;
using Skiff.Bench.Client;
using Skiff.Client.Typed;

namespace Skiff.Bench.Api;

/// <summary>
/// The cost of the audit log: ConfigMap creates per second through the real HTTPS API with auditing at level
/// <c>--level</c> (default Metadata: every request logged at both stages to a file) against auditing off,
/// alternating runs on two servers in one process; prints the median of each, the ratio and the events written.
/// </summary>
internal static class AuditBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var creates = BenchArgs.Int(args, "--creates", 2000);
        var runs = BenchArgs.Int(args, "--runs", 3);
        var parallel = BenchArgs.Int(args, "--parallel", 32);
        var i = Array.IndexOf(args, "--level");
        var level = i >= 0 && i + 1 < args.Length ? args[i + 1] : "Metadata";
        var dir = Path.Combine(Path.GetTempPath(), "skiff-audit-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var policy = Path.Combine(dir, "policy.yaml");
        await File.WriteAllTextAsync(policy, $"apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{{level: {level}}}]\n", ct);
        var log = Path.Combine(dir, "audit.log");
        try
        {
            await using (var on = await BenchServer.StartAsync(o => o with { WatchCache = true, Audit = new AuditLogOptions { PolicyFile = policy, LogPath = log } }, ct))
            await using (var off = await BenchServer.StartAsync(o => o with { WatchCache = true }, ct))
            {
                using var onClient = on.Clientset();
                using var offClient = off.Clientset();
                var audited = new List<double>();
                var plain = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    audited.Add(await CreatesPerSecondAsync(onClient, $"on-{run}", creates, parallel, ct));
                    plain.Add(await CreatesPerSecondAsync(offClient, $"off-{run}", creates, parallel, ct));
                    Console.WriteLine($"run {run + 1}: audit {level} {audited[^1]:F0} creates/s, audit off {plain[^1]:F0} creates/s");
                }

                var (a, b) = (Stats.Median(audited), Stats.Median(plain));
                Console.WriteLine($"median: audit {level} {a:F0} creates/s, audit off {b:F0} creates/s, ratio {a / b:F3} ({(1 - (a / b)) * 100:F1} % slower)");
            }

            Console.WriteLine($"events logged: {File.ReadLines(log).Count()} ({new FileInfo(log).Length / 1024} KiB)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<double> CreatesPerSecondAsync(Clientset cs, string ns, int creates, int parallel, CancellationToken ct)
    {
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct);
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < creates)
            {
                await cs.CoreV1().ConfigMaps(ns).CreateAsync(new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta { Name = $"c{i}" },
                    Data = new Dictionary<string, string> { ["k"] = "v" },
                }, ct: ct);
            }
        }));
        return creates / sw.Elapsed.TotalSeconds;
    }
}
