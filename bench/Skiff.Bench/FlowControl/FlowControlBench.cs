using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Skiff.ApiServer.FlowControl;
using Skiff.Bench.Client;
using Skiff.Client.Typed;

namespace Skiff.Bench.FlowControl;

/// <summary>
/// The per-request cost of API Priority and Fairness: ConfigMap creates/s and LIST latency (100 ConfigMaps, p50 and
/// p99) through the real HTTPS API by a user bound to <c>edit</c> (not system:masters, so its requests are classified
/// into global-default and take a seat), on a server with APF on (upstream limits 400/200) against one with it off.
/// Both servers run in the same process, alternately; medians of the runs.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- apf [--creates N] [--lists N] [--concurrency C] [--runs R]</c>.
/// </summary>
public static class FlowControlBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var creates = BenchArgs.Int(args, "--creates", 2000);
        var lists = BenchArgs.Int(args, "--lists", 400);
        var concurrency = BenchArgs.Int(args, "--concurrency", 16);
        var runs = BenchArgs.Int(args, "--runs", 5);
        await using var on = await Server.StartAsync(true, ct);
        await using var off = await Server.StartAsync(false, ct);
        await on.CreatesPerSecondAsync(200, concurrency, ct); // warm-up (and the 100+ objects the lists return)
        await off.CreatesPerSecondAsync(200, concurrency, ct);
        var results = new Dictionary<bool, List<(double Rate, double P50, double P99)>> { [true] = [], [false] = [] };
        for (var i = 0; i < runs; i++)
        {
            foreach (var (server, enabled) in new[] { (off, false), (on, true) })
            {
                var rate = await server.CreatesPerSecondAsync(creates, concurrency, ct);
                var (p50, p99) = await server.ListLatencyAsync(lists, concurrency / 4, ct);
                results[enabled].Add((rate, p50, p99));
            }
        }

        Console.WriteLine($"apf: {creates} ConfigMap creates ({concurrency} concurrent) and {lists} LISTs of {Server.ListSize} ConfigMaps ({Math.Max(1, concurrency / 4)} concurrent) per run, median of {runs} runs, user bound to edit");
        Console.WriteLine("| priority and fairness | creates/s | LIST p50 ms | LIST p99 ms |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var enabled in new[] { false, true })
        {
            var r = results[enabled];
            Console.WriteLine($"| {(enabled ? "on (global-default)" : "off")} | {Stats.Median(r.Select(x => x.Rate).ToList()):F0} | {Stats.Median(r.Select(x => x.P50).ToList()):F2} | {Stats.Median(r.Select(x => x.P99).ToList()):F2} |");
        }

        var ratio = Stats.Median(results[true].Select(x => x.Rate).ToList()) / Stats.Median(results[false].Select(x => x.Rate).ToList());
        Console.WriteLine($"creates on/off = {ratio.ToString("F3", CultureInfo.InvariantCulture)} ({(1 - ratio) * 100:F1} % slower)");
    }

    private sealed class Server : IAsyncDisposable
    {
        public const int ListSize = 100;

        private readonly BenchServer _server;
        private readonly Clientset _user;
        private int _run;

        private Server(BenchServer server, Clientset user)
        {
            _server = server;
            _user = user;
        }

        public static async Task<Server> StartAsync(bool apf, CancellationToken ct)
        {
            var server = await BenchServer.StartAsync(o => o with { FlowControl = new FlowControlSettings { Enabled = apf } }, ct).ConfigureAwait(false);
            var user = await server.BoundUserAsync("bench", "bench-user", "edit", ct).ConfigureAwait(false);
            return new Server(server, user.Clientset);
        }

        public async Task<double> CreatesPerSecondAsync(int creates, int concurrency, CancellationToken ct)
        {
            var run = ++_run;
            var client = _user.CoreV1().ConfigMaps("bench");
            var next = -1;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < creates)
                {
                    await client.CreateAsync(new V1ConfigMap
                    {
                        Metadata = new() { Name = $"cm-{run}-{i}" },
                        Data = new Dictionary<string, string> { ["k"] = "v" },
                    }, ct: ct).ConfigureAwait(false);
                }
            })).ConfigureAwait(false);
            return creates / sw.Elapsed.TotalSeconds;
        }

        /// <summary>p50 and p99 (ms) of <paramref name="lists"/> limit=100 LISTs, <paramref name="concurrency"/> at a time.</summary>
        public async Task<(double P50, double P99)> ListLatencyAsync(int lists, int concurrency, CancellationToken ct)
        {
            var client = _user.CoreV1().ConfigMaps("bench");
            var samples = new List<double>();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, concurrency)).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) < lists)
                {
                    var started = Stopwatch.GetTimestamp();
                    await client.ListAsync(new Skiff.Client.Options.ListOptions { Limit = ListSize }, ct).ConfigureAwait(false);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (samples)
                    {
                        samples.Add(ms);
                    }
                }
            })).ConfigureAwait(false);
            samples.Sort();
            return (samples[samples.Count / 2], samples[Math.Min(samples.Count - 1, (int)(samples.Count * 0.99))]);
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
