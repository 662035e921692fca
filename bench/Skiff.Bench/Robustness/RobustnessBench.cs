using System.Diagnostics;
using System.Globalization;
using Skiff.Robustness.Driver;
using Skiff.Robustness.Servers;

namespace Skiff.Bench.Robustness;

/// <summary>
/// The long run of the robustness checker (tests/Skiff.Robustness) by hand: the real <c>skiff apiserver</c> on SQLite
/// or etcd under concurrent writers and watchers, optionally killed with SIGKILL and restarted every N seconds, then
/// every check (linearizability, revision order, watch streams).
/// <code>robustness [--duration 60s] [--store sqlite|etcd] [--kill-every 20s|0] [--writers 8] [--keys 8] [--http2] [--seed N]</code>
/// Exit code 0 when every check passed, 1 otherwise.
/// </summary>
internal static class RobustnessBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var duration = Seconds(args, "--duration", 60);
        var killEvery = Seconds(args, "--kill-every", 20);
        var store = Value(args, "--store") ?? "sqlite";
        var options = new RobustnessOptions
        {
            Duration = duration,
            Writers = BenchArgs.Int(args, "--writers", 8),
            Keys = BenchArgs.Int(args, "--keys", 8),
            Http2 = args.Contains("--http2"),
            Seed = BenchArgs.Int(args, "--seed", Environment.TickCount),
            CatchUpTimeout = TimeSpan.FromSeconds(60),
        };
        Console.WriteLine($"robustness: store={store} duration={duration.TotalSeconds}s kill-every={(killEvery > TimeSpan.Zero ? killEvery.TotalSeconds + "s" : "never")} writers={options.Writers} keys={options.Keys} http2={options.Http2} seed={options.Seed}");
        await using var etcd = store == "etcd" ? await EtcdServer.StartAsync(ct) : null;
        await using var server = etcd is null ? await SkiffServer.StartSqliteAsync(ct) : await SkiffServer.StartEtcdAsync(etcd.ClientUrl, ct);
        using var connection = ApiConnection.FromKubeconfig(server.Kubeconfig, options.Http2);
        var kills = 0;
        var downtime = new List<double>();
        Func<CancellationToken, Task>? fault = killEvery <= TimeSpan.Zero ? null : async token =>
        {
            var end = DateTime.UtcNow + duration;
            while (DateTime.UtcNow + killEvery < end)
            {
                await Task.Delay(killEvery, token);
                var down = Stopwatch.StartNew();
                await server.KillAsync();
                kills++;
                await server.RestartAsync(token);
                downtime.Add(down.Elapsed.TotalSeconds);
            }
        };
        var run = Stopwatch.StartNew();
        var report = await RobustnessRun.RunAsync(connection, options, fault, ct);
        var elapsed = run.Elapsed;
        Console.WriteLine(report);
        var writes = report.History.Count(o => o.IsPut || o.IsDelete);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kills: {kills}, restart p50 {Median(downtime):F1} s; {report.History.Count} operations ({writes} writes) in {elapsed.TotalSeconds:F1} s including checks"));
        Console.WriteLine(report.Passed ? "PASSED" : "FAILED");
        if (!report.Passed)
        {
            Console.WriteLine(report.FailingKeyHistories());
            Console.WriteLine("server log tail:\n" + SkiffServer.Tail(server.Log));
        }

        return report.Passed ? 0 : 1;
    }

    private static double Median(List<double> values) => values.Count == 0 ? 0 : values.Order().ElementAt(values.Count / 2);

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static TimeSpan Seconds(string[] args, string name, int fallback) =>
        Value(args, name) is { } v ? TimeSpan.FromSeconds(double.Parse(v.TrimEnd('s'), CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(fallback);
}
