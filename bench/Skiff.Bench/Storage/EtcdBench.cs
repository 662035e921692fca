using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Skiff.Storage;
using Skiff.Storage.Etcd;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Bench.Storage;

/// <summary>
/// Measures <see cref="EtcdStorage"/> beside raw etcd puts/ranges sent through the same gRPC client in the same run,
/// so the ratio shows what the storage layer (guarded transactions, conversions) costs over etcd itself.
/// </summary>
/// <remarks>
/// Entry point: <c>dotnet run -c Release --project bench/Skiff.Bench -- etcd [--etcd-servers URL,...] [--ops N]</c>.
/// Without <c>--etcd-servers</c> it starts a throw-away single-member etcd (from PATH) on free loopback ports.
/// <c>etcd --shapes</c> measures the request shapes of an exclusive create instead (<see cref="EtcdTxnShapes"/>).
/// </remarks>
public static class EtcdBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--shapes"))
        {
            return await EtcdTxnShapes.RunAsync(args, CancellationToken.None);
        }

        var servers = Arg(args, "--etcd-servers");
        var ops = int.Parse(Arg(args, "--ops") ?? "2000");
        var concurrency = int.Parse(Arg(args, "--concurrency") ?? "32");
        Process? etcd = null;
        string? dataDir = null;
        try
        {
            if (servers is null)
            {
                (etcd, dataDir, servers) = await StartEtcdAsync();
            }

            var options = EtcdOptions.Parse(servers);
            await using var store = await EtcdStorage.ConnectAsync(options, CancellationToken.None);
            using var raw = new EtcdConnection(options);
            var value = new byte[1024];
            Random.Shared.NextBytes(value);
            var rawValue = ByteString.CopyFrom(value);
            Console.WriteLine($"etcd bench: {servers}, {ops} ops per measure, 1 KiB values, concurrency {concurrency}");
            Console.WriteLine($"{"measure",-34}{"ops/s",10}{"p50 ms",10}{"p99 ms",10}");

            var run = Guid.NewGuid().ToString("N")[..8];
            var rawPut = await MeasureAsync("raw etcd Put (sequential)", ops, 1, i =>
                raw.Preferred.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"/bench-raw/{run}/{i:D7}"), Value = rawValue }).ResponseAsync);
            var create = await MeasureAsync("storage Create (sequential)", ops, 1, i =>
                store.CreateAsync($"/bench/{run}/{i:D7}", value, CancellationToken.None));
            Ratio(create, rawPut);

            var rawPutC = await MeasureAsync($"raw etcd Put (x{concurrency})", ops, concurrency, i =>
                raw.Preferred.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"/bench-raw/{run}/c{i:D7}"), Value = rawValue }).ResponseAsync);
            var createC = await MeasureAsync($"storage Create (x{concurrency})", ops, concurrency, i =>
                store.CreateAsync($"/bench/{run}/c{i:D7}", value, CancellationToken.None));
            Ratio(createC, rawPutC);

            var rawGet = await MeasureAsync("raw etcd Range 1 key", ops, 1, i =>
                raw.Preferred.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8($"/bench-raw/{run}/{i:D7}") }).ResponseAsync);
            var get = await MeasureAsync("storage Get", ops, 1, i => store.GetAsync($"/bench/{run}/{i:D7}", 0, CancellationToken.None));
            Ratio(get, rawGet);

            var current = new long[ops];
            for (var i = 0; i < ops; i++)
            {
                current[i] = (await store.GetAsync($"/bench/{run}/{i:D7}", 0, CancellationToken.None))!.ModRevision;
            }

            var cas = await MeasureAsync("storage CompareAndSwap", ops, 1, i =>
                store.CompareAndSwapAsync($"/bench/{run}/{i:D7}", current[i], value, CancellationToken.None), warmUp: false);
            Ratio(cas, rawPut);

            var listOps = Math.Max(10, ops / 100);
            var rawList = await MeasureAsync($"raw etcd Range {ops} keys", listOps, 1, _ =>
            {
                var (start, end) = EtcdKeys.PrefixRange($"/bench-raw/{run}/0", null);
                return raw.Preferred.Kv.RangeAsync(new RangeRequest { Key = start, RangeEnd = end }).ResponseAsync;
            });
            var list = await MeasureAsync($"storage List {ops} keys", listOps, 1, _ =>
                store.ListAsync($"/bench/{run}/0", ListOptions.Latest, CancellationToken.None));
            Ratio(list, rawList);

            var watchLatency = await MeasureWatchAsync(store, run, value, Math.Min(ops, 500));
            Console.WriteLine($"{"watch: write -> event delivered",-34}{"",10}{watchLatency.P50,10:F2}{watchLatency.P99,10:F2}");
            return 0;
        }
        finally
        {
            if (etcd is not null)
            {
                etcd.Kill();
                await etcd.WaitForExitAsync();
                Directory.Delete(dataDir!, recursive: true);
            }
        }
    }

    private sealed record Result(string Name, double OpsPerSecond, double P50, double P99);

    private static async Task<Result> MeasureAsync<T>(string name, int ops, int concurrency, Func<int, Task<T>> op, bool warmUp = true)
    {
        // Warm up connections and JIT outside the measured window (on indexes the measure does not use).
        for (var i = 0; warmUp && i < Math.Min(20, ops); i++)
        {
            try
            {
                await op(ops + 1_000_000 + i);
            }
            catch (StorageException)
            {
            }
        }

        var latencies = new double[ops];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ops)
            {
                var started = Stopwatch.GetTimestamp();
                await op(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        total.Stop();
        Array.Sort(latencies);
        var result = new Result(name, ops / total.Elapsed.TotalSeconds, latencies[ops / 2], latencies[Math.Min(ops - 1, (int)(ops * 0.99))]);
        Console.WriteLine($"{name,-34}{result.OpsPerSecond,10:F0}{result.P50,10:F2}{result.P99,10:F2}");
        return result;
    }

    private static void Ratio(Result storage, Result raw) =>
        Console.WriteLine($"{"  -> storage / raw throughput",-34}{storage.OpsPerSecond / raw.OpsPerSecond,10:P0}");

    private static async Task<(double P50, double P99)> MeasureWatchAsync(EtcdStorage store, string run, byte[] value, int count)
    {
        var prefix = $"/bench-watch/{run}/";
        var sent = new long[count];
        var latencies = new double[count];
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var from = await store.GetCurrentRevisionAsync(cts.Token);
        var received = Task.Run(async () =>
        {
            var n = 0;
            await foreach (var ev in store.WatchAsync(prefix, new WatchOptions(from), cts.Token))
            {
                latencies[n] = Stopwatch.GetElapsedTime(Volatile.Read(ref sent[n])).TotalMilliseconds;
                if (++n == count)
                {
                    return;
                }
            }
        });
        for (var i = 0; i < count; i++)
        {
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            await store.CreateAsync($"{prefix}{i:D7}", value, cts.Token);
        }

        await received;
        Array.Sort(latencies);
        return (latencies[count / 2], latencies[Math.Min(count - 1, (int)(count * 0.99))]);
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// Starts a throw-away single-member etcd from PATH on free loopback ports, with the flags in
    /// <c>SKIFF_BENCH_ETCD_ARGS</c> (space-separated) and <paramref name="extra"/> added.
    /// </summary>
    internal static async Task<(Process Etcd, string DataDir, string Servers)> StartEtcdAsync(params string[] extra)
    {
        var ports = new int[2];
        for (var i = 0; i < 2; i++)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            ports[i] = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
        }

        var client = $"http://127.0.0.1:{ports[0]}";
        var peer = $"http://127.0.0.1:{ports[1]}";
        var dir = Path.Combine(Path.GetTempPath(), $"skiff-bench-etcd-{Guid.NewGuid():N}");
        var info = new ProcessStartInfo("etcd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[]
        {
            "--name", "bench", "--data-dir", dir, "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"bench={peer}",
            "--logger", "zap", "--log-level", "error", "--max-request-bytes", "2097152",
        })
        {
            info.ArgumentList.Add(a);
        }

        // Extra server flags for an experiment, e.g. SKIFF_BENCH_ETCD_ARGS="--backend-batch-interval=10ms".
        foreach (var a in (Environment.GetEnvironmentVariable("SKIFF_BENCH_ETCD_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Concat(extra))
        {
            info.ArgumentList.Add(a);
        }

        var etcd = Process.Start(info) ?? throw new InvalidOperationException("cannot start etcd (apt-get install etcd-server)");
        etcd.OutputDataReceived += (_, _) => { };
        etcd.ErrorDataReceived += (_, _) => { };
        etcd.BeginOutputReadLine();
        etcd.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetStringAsync($"{client}/health")).Contains("true", StringComparison.Ordinal))
                {
                    return (etcd, dir, client);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (etcd.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"etcd at {client} did not become healthy");
            }

            await Task.Delay(50);
        }
    }
}
