using System.Diagnostics;
using Skiff.Proxy.Model;
using Skiff.Proxy.Nftables;

namespace Skiff.Bench.Proxy;

/// <summary>
/// kube-proxy sync time for N Services × M endpoints (issue 15): rule generation alone, then (as root with nft) the
/// full transaction applied with one <c>nft -f</c> (first sync: table recreated), and a partial sync after one service
/// changed. Uses its own table (removed at the end); run under <c>flock /tmp/skiff-realnode.lock</c>.
/// </summary>
internal static class ProxySyncBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var services = BenchArgs.Int(args, "--services", 1000);
        var endpoints = BenchArgs.Int(args, "--endpoints", 10);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var states = new List<ServicePortState>(services);
        for (var s = 0; s < services; s++)
        {
            var eps = Enumerable.Range(0, endpoints).Select(e => new EndpointInfo($"10.{40 + (s / 256 % 8)}.{s % 256}.{e + 1}", 8080, true, true, false, e == 0)).ToList();
            states.Add(new ServicePortState(new ServicePortInfo
            {
                Namespace = "bench",
                Name = "svc-" + s,
                PortName = "http",
                ClusterIp = $"10.{96 + (s / 65536)}.{s / 256 % 256}.{s % 256}",
                Port = 80,
                NodePort = s < 2000 ? 30000 + s : 0,
            }, eps));
        }

        var table = "kp-bench-" + Environment.ProcessId;
        var writer = new NftablesRuleWriter(new NftablesOptions { TableName = table, ServiceCidr = null });
        var empty = new Dictionary<string, ServiceObjects>();
        var generate = new List<double>();
        SyncScript script = null!;
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            script = writer.Write(states, null, empty, true);
            generate.Add(sw.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"proxy-sync: {services} services x {endpoints} endpoints: {script.RuleCount} rules, {script.Text.Length / 1024} KiB transaction");
        Console.WriteLine($"  generate (full)      median {Median(generate):F1} ms");
        if (Environment.UserName != "root" || !NftCommand.IsAvailable())
        {
            Console.WriteLine("  (not root or no nft: apply not measured)");
            return 0;
        }

        var nft = new NftCommand();
        var full = new List<double>();
        var partial = new List<double>();
        try
        {
            for (var r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                var first = writer.Write(states, null, empty, true);
                await nft.ApplyAsync(first.Text, ct);
                full.Add(sw.Elapsed.TotalMilliseconds);

                // One service loses an endpoint: a partial sync.
                var changed = states.ToList();
                changed[r] = changed[r] with { Endpoints = [.. changed[r].Endpoints.Skip(1)] };
                sw.Restart();
                var next = writer.Write(changed, new HashSet<string> { changed[r].Service.ServiceKey }, first.Objects, false);
                await nft.ApplyAsync(next.Text, ct);
                partial.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            await nft.ApplyAsync(writer.Cleanup(), CancellationToken.None);
        }

        Console.WriteLine($"  full sync (generate + nft -f, table recreated)   median {Median(full):F1} ms  (runs: {string.Join(", ", full.Select(f => f.ToString("F0")))})");
        Console.WriteLine($"  partial sync (1 service changed, maps rewritten) median {Median(partial):F1} ms  (runs: {string.Join(", ", partial.Select(f => f.ToString("F0")))})");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
