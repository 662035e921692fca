using System.Diagnostics;
using System.Text;
using Skiff.Storage;

namespace Skiff.Bench.Storage;

/// <summary>
/// Backend-agnostic storage benchmark: give it a factory of fresh stores and (optionally) the raw engine beneath, and
/// it measures write throughput at 1/8/64 concurrent writers, point reads, a 10k-key list and watch delivery latency.
/// </summary>
public static class StorageBenchmark
{
    /// <summary>A 512-byte value, about the size of a small serialized object.</summary>
    public static readonly byte[] Value = Encoding.UTF8.GetBytes(
        "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"bench\",\"namespace\":\"bench\"}," + new string('x', 512) + "}")[..512];

    public static string Key(int i) => $"/registry/pods/bench/pod-{i:D7}";

    public static byte[] KeyBytes(int i) => Encoding.UTF8.GetBytes(Key(i));

    /// <summary>Runs every measurement against stores made by <paramref name="factory"/>.</summary>
    public static async Task<List<BenchRow>> RunAsync(
        string backend, Func<Task<IStorage>> factory, IRawBaseline? baseline, TimeSpan duration, TextWriter log, CancellationToken ct)
    {
        // On a shared machine the disk's fsync latency drifts a lot, so the raw engine and the backend are measured in
        // alternating slices (three each) and each side reports its median: adjacent slices keep the ratio meaningful.
        const int slices = 3;
        var slice = duration / slices;
        var rows = new List<BenchRow>();
        foreach (var writers in new[] { 1, 8, 64 })
        {
            log.WriteLine($"[{backend}] writes with {writers} writers (and raw engine) …");
            await using var store = await factory();
            await WarmUpAsync(store, ct);
            var single = new List<double>();
            var batched = new List<double>();
            var rates = new List<double>();
            for (var i = 0; i < slices; i++)
            {
                if (baseline is not null)
                {
                    single.Add(await baseline.MeasureSingleWritesPerSecondAsync(slice, ct));
                    batched.Add(await baseline.MeasureBatchedWritesPerSecondAsync(slice, ct));
                }

                rates.Add(await MeasureWritesAsync(store, $"s{i}", writers, slice, ct));
            }

            rows.Add(new BenchRow($"writes/s, {writers} writer(s)", backend, Median(rates), "ops/s", MedianOrNull(single), MedianOrNull(batched)));
        }

        await using (var store = await factory())
        {
            log.WriteLine($"[{backend}] preload 10k keys …");
            await PreloadAsync(store, 10_000, ct);
            log.WriteLine($"[{backend}] reads (and raw engine) …");
            var rawReads = new List<double>();
            var reads = new List<double>();
            for (var i = 0; i < slices; i++)
            {
                if (baseline is not null)
                {
                    rawReads.Add(await baseline.MeasureReadsPerSecondAsync(slice, 8, ct));
                }

                reads.Add(await MeasureReadsAsync(store, 8, 10_000, slice, ct));
            }

            rows.Add(new BenchRow("reads/s, 8 readers (Get latest)", backend, Median(reads), "ops/s", MedianOrNull(rawReads)));
            log.WriteLine($"[{backend}] list …");
            var listMs = await MeasureListAsync(store, ct);
            rows.Add(new BenchRow("list 10k keys (median of 5)", backend, listMs, "ms"));
            log.WriteLine($"[{backend}] watch latency …");
            var (median, p99) = await MeasureWatchLatencyAsync(store, 500, ct);
            rows.Add(new BenchRow("watch latency write→event, median", backend, median, "ms"));
            rows.Add(new BenchRow("watch latency write→event, p99", backend, p99, "ms"));
        }

        return rows;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double? MedianOrNull(List<double> values) => values.Count == 0 ? null : Median(values);

    private static async Task<double> MeasureWritesAsync(IStorage store, string run, int writers, TimeSpan duration, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            long n = 0;
            while (sw.Elapsed < duration)
            {
                await store.CreateAsync($"/registry/pods/{run}w{w:D2}/{n++:D8}", Value, ct);
            }

            return n;
        }, ct)));
        return counts.Sum() / sw.Elapsed.TotalSeconds;
    }

    // Reaches the store's steady state before timing (for SQLite: past the first WAL checkpoint, so commits reuse WAL
    // space instead of growing the file; the raw baseline warms up the same way).
    private static async Task WarmUpAsync(IStorage store, CancellationToken ct)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 8_000)
            {
                await store.CreateAsync($"/warmup/{i:D6}", Value, ct);
            }
        }, ct)));
    }

    private static async Task PreloadAsync(IStorage store, int keys, CancellationToken ct)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < keys)
            {
                await store.CreateAsync(Key(i), Value, ct);
            }
        }, ct)));
    }

    private static async Task<double> MeasureReadsAsync(IStorage store, int readers, int keys, TimeSpan duration, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            var rng = new Random(r);
            long n = 0;
            while (sw.Elapsed < duration)
            {
                _ = await store.GetAsync(Key(rng.Next(keys)), 0, ct) ?? throw new InvalidOperationException("missing key");
                n++;
            }

            return n;
        }, ct)));
        return counts.Sum() / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> MeasureListAsync(IStorage store, CancellationToken ct)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            var list = await store.ListAsync("/registry/pods/bench/", ListOptions.Latest, ct);
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (list.Items.Count != 10_000)
            {
                throw new InvalidOperationException($"listed {list.Items.Count} keys");
            }
        }

        return times.Order().ElementAt(times.Count / 2);
    }

    // Time from calling the write to the watcher holding its event (so it includes the commit), one write at a time:
    // the next write starts only after the previous event arrived, so the number is latency, not queueing.
    private static async Task<(double Median, double P99)> MeasureWatchLatencyAsync(IStorage store, int writes, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var latencies = new double[writes];
        var from = await store.GetCurrentRevisionAsync(ct);
        await using var events = store.WatchAsync("/bench/watch/", new WatchOptions(from), cts.Token).GetAsyncEnumerator(cts.Token);
        var pending = events.MoveNextAsync().AsTask(); // subscribes
        for (var i = 0; i < writes; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await store.CreateAsync($"/bench/watch/{i}", Value, ct);
            if (!await pending.WaitAsync(TimeSpan.FromSeconds(30), ct))
            {
                throw new InvalidOperationException("watch ended");
            }

            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            pending = events.MoveNextAsync().AsTask();
        }

        await cts.CancelAsync();
        try
        {
            await pending;
        }
        catch (OperationCanceledException)
        {
        }

        var sorted = latencies.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
    }
}
