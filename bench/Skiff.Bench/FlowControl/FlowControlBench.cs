using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Skiff.ApiServer.FlowControl;
using Skiff.ApiServer.Security;
using Skiff.Bench.Client;
using Skiff.Client.Typed;

namespace Skiff.Bench.FlowControl;

/// <summary>
/// The per-request cost of API Priority and Fairness: ConfigMap creates/s and LIST latency (100 ConfigMaps, p50 and
/// p99) through the real HTTPS API by a user bound to <c>edit</c> (not system:masters, so its requests are classified
/// into global-default and take a seat), on a server with APF on (upstream limits 400/200) against one with it off.
/// Both servers run in the same process, alternately; medians of the runs. Then a LIST flood: <c>--flood-workers</c>
/// clients (8 users) LIST <c>--flood-objects</c> ConfigMaps for <c>--flood-seconds</c> against a server with a 1 s queue
/// wait, with work estimation off (every LIST one seat) and on (ceil(n/100) seats, at most the level's max seats):
/// the share of 429s and the LIST p50.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- apf [--creates N] [--lists N] [--concurrency C] [--runs R]
/// [--flood-objects N] [--flood-workers W] [--flood-seconds S]</c>.
/// </summary>
public static class FlowControlBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var creates = BenchArgs.Int(args, "--creates", 2000);
        var lists = BenchArgs.Int(args, "--lists", 400);
        var concurrency = BenchArgs.Int(args, "--concurrency", 16);
        var runs = BenchArgs.Int(args, "--runs", 5);
        await using var on = await Server.StartAsync(new FlowControlSettings(), ct);
        await using var off = await Server.StartAsync(new FlowControlSettings { Enabled = false }, ct);
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
        await FloodAsync(args, concurrency, ct);
    }

    private static async Task FloodAsync(string[] args, int concurrency, CancellationToken ct)
    {
        var objects = BenchArgs.Int(args, "--flood-objects", 1000);
        var workers = BenchArgs.Int(args, "--flood-workers", 256);
        var seconds = BenchArgs.Int(args, "--flood-seconds", 8);
        Console.WriteLine();
        Console.WriteLine($"LIST flood: {workers} clients (8 users) LIST {objects} ConfigMaps for {seconds} s, upstream limits 400/200, 1 s queue wait");
        Console.WriteLine("| work estimation | LISTs | 429s | 429 share | LIST p50 ms (served) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var estimate in new[] { false, true })
        {
            await using var server = await Server.StartAsync(new FlowControlSettings { EstimateWork = estimate, QueueWaitLimit = TimeSpan.FromSeconds(1) }, ct);
            await server.CreatesPerSecondAsync(objects, concurrency, ct);
            await server.RefreshObjectCountsAsync(ct);
            var (total, rejected, p50) = await server.ListFloodAsync(workers, TimeSpan.FromSeconds(seconds), ct);
            Console.WriteLine($"| {(estimate ? "on (width from the object count)" : "off (one seat each)")} | {total} | {rejected} | {(double)rejected / Math.Max(1, total):P1} | {p50:F1} |");
        }
    }

    private sealed class Server : IAsyncDisposable
    {
        public const int ListSize = 100;

        private readonly BenchServer _server;
        private readonly Clientset _user;
        private IReadOnlyList<HttpClient> _flooders = [];
        private int _run;

        private Server(BenchServer server, Clientset user)
        {
            _server = server;
            _user = user;
        }

        public static async Task<Server> StartAsync(FlowControlSettings flowControl, CancellationToken ct)
        {
            var server = await BenchServer.StartAsync(o => o with { FlowControl = flowControl }, ct).ConfigureAwait(false);
            var user = await server.BoundUserAsync("bench", "bench-user", "edit", ct, bindGroup: true).ConfigureAwait(false);
            return new Server(server, user.Clientset) { _flooders = [.. Enumerable.Range(0, 8).Select(i => RawClient(server, $"bench-user-{i}"))] };
        }

        /// <summary>Counts the stored objects now, as the server's periodic count would.</summary>
        public Task RefreshObjectCountsAsync(CancellationToken ct) =>
            _server.Host.FlowControl!.ObjectCounts.RefreshAsync(_server.Host.Registry, _server.Storage, ct);

        /// <summary>
        /// <paramref name="workers"/> LIST loops over 8 users (plain HTTP clients: no retry of 429s) for
        /// <paramref name="duration"/>: LISTs sent, 429s, p50 of the served ones.
        /// </summary>
        public async Task<(int Total, int Rejected, double P50)> ListFloodAsync(int workers, TimeSpan duration, CancellationToken ct)
        {
            var total = 0;
            var rejected = 0;
            var served = new List<double>();
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
            {
                var client = _flooders[w % _flooders.Count];
                while (Stopwatch.GetTimestamp() < until)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync("/api/v1/namespaces/bench/configmaps", HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Interlocked.Increment(ref total);
                    if ((int)response.StatusCode == 429)
                    {
                        Interlocked.Increment(ref rejected);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    lock (served)
                    {
                        served.Add(ms);
                    }
                }
            })).ConfigureAwait(false);
            served.Sort();
            return (total, rejected, served.Count == 0 ? 0 : served[served.Count / 2]);
        }

        private static HttpClient RawClient(BenchServer server, string userName)
        {
            var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(server.Directory, "pki"), userName, [BenchServer.Group]);
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024 };
            handler.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(cert, key)];
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            return new HttpClient(handler) { BaseAddress = new Uri(server.Host.Url), Timeout = TimeSpan.FromMinutes(2) };
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

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _flooders)
            {
                client.Dispose();
            }

            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
