using System.Diagnostics;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench.Cacher;

/// <summary>
/// Measures the watch cache: a list of N objects served from <see cref="CachingStorage"/> versus the inner memory and SQLite
/// stores (ops/s and ratio), and the fan-out of one write stream to many watchers (events/s delivered, latency).
/// </summary>
/// <remarks>
/// Entry point: <c>dotnet run -c Release --project bench/Skiff.Bench -- cacher [--objects 10000] [--size 1024]
/// [--seconds 2] [--watchers 100] [--events 5000] [--rate 2000]</c>.
/// </remarks>
public static class CacherBench
{
    private const string Prefix = "/registry/pods/";

    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var objects = int.Parse(Arg(args, "--objects") ?? "10000");
        var size = int.Parse(Arg(args, "--size") ?? "1024");
        var seconds = double.Parse(Arg(args, "--seconds") ?? "2");
        var watchers = int.Parse(Arg(args, "--watchers") ?? "100");
        var events = int.Parse(Arg(args, "--events") ?? "5000");
        var rate = int.Parse(Arg(args, "--rate") ?? "2000");
        var value = new byte[size];
        Random.Shared.NextBytes(value);

        Console.WriteLine($"cacher bench: list of {objects} objects of {size} bytes, {seconds}s per measurement");
        var dir = Directory.CreateTempSubdirectory("skiff-cacher-bench");
        try
        {
            var memory = new MemoryStorage();
            await FillAsync(memory, objects, value, ct);
            var sqlite = await SqliteStorage.OpenAsync(Path.Combine(dir.FullName, "bench.db"), null, ct);
            await FillAsync(sqlite, objects, value, ct);

            var memoryInner = await MeasureListAsync("memory store, latest", memory, ListOptions.Latest, objects, seconds, ct);
            var sqliteInner = await MeasureListAsync("sqlite store, latest", sqlite, ListOptions.Latest, objects, seconds, ct);
            await using (var cache = new CachingStorage(memory, new CachingStorageOptions { Prefixes = [Prefix], DisposeInner = false }))
            {
                await cache.StartAsync(ct);
                var latest = await MeasureListAsync("cache over memory, latest (consistent)", cache, ListOptions.Latest, objects, seconds, ct);
                var any = await MeasureListAsync("cache over memory, resourceVersion=0", cache, new ListOptions { NotOlderThan = 0 }, objects, seconds, ct);
                Console.WriteLine($"  ratio vs memory store: consistent {latest / memoryInner:F1}x, rv=0 {any / memoryInner:F1}x");
            }

            await using (var cache = new CachingStorage(sqlite, new CachingStorageOptions { Prefixes = [Prefix], DisposeInner = false }))
            {
                await cache.StartAsync(ct);
                var latest = await MeasureListAsync("cache over sqlite, latest (consistent)", cache, ListOptions.Latest, objects, seconds, ct);
                var any = await MeasureListAsync("cache over sqlite, resourceVersion=0", cache, new ListOptions { NotOlderThan = 0 }, objects, seconds, ct);
                Console.WriteLine($"  ratio vs sqlite store: consistent {latest / sqliteInner:F1}x, rv=0 {any / sqliteInner:F1}x");
            }

            await sqlite.DisposeAsync();
            await memory.DisposeAsync();

            Console.WriteLine($"watch fan-out: {watchers} watchers, {events} updates of {size} bytes through a cache over the memory store");
            await MeasureFanOutAsync(watchers, events, 0, size, ct);
            await MeasureFanOutAsync(watchers, Math.Min(events, rate * 3), rate, size, ct);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task FillAsync(IStorage store, int objects, byte[] value, CancellationToken ct)
    {
        var next = -1;
        var workers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < objects)
            {
                await store.CreateAsync($"{Prefix}ns{i % 10}/pod-{i:D6}", value, ct);
            }
        }, ct));
        await Task.WhenAll(workers);
    }

    private static async Task<double> MeasureListAsync(string name, IStorage store, ListOptions options, int expected, double seconds, CancellationToken ct)
    {
        for (var i = 0; i < 3; i++)
        {
            await store.ListAsync(Prefix, options, ct); // warm-up
        }

        var sw = Stopwatch.StartNew();
        var ops = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            var list = await store.ListAsync(Prefix, options, ct);
            if (list.Items.Count != expected)
            {
                throw new InvalidOperationException($"{name}: {list.Items.Count} items, expected {expected}");
            }

            ops++;
        }

        var perSecond = ops / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"  {name,-42} {perSecond,10:F1} lists/s  ({1000 / perSecond:F3} ms/list)");
        return perSecond;
    }

    private static async Task MeasureFanOutAsync(int watchers, int events, int rate, int size, CancellationToken ct)
    {
        await using var cache = new CachingStorage(new MemoryStorage(), new CachingStorageOptions
        {
            Prefixes = [Prefix],
            WatchBufferSize = events + 16, // measure delivery, not cut-offs
            EventHistory = 1024,
        });
        await cache.CreateAsync("/registry/namespaces/default", new byte[8], ct); // a used store (revision > 0)
        await cache.StartAsync(ct);
        var key = Prefix + "default/hot";
        var start = await cache.CreateAsync(key, new byte[size], ct);
        using var stop = new CancellationTokenSource();
        var latencies = new long[watchers][];
        var ready = new CountdownEvent(watchers);
        var consumers = Enumerable.Range(0, watchers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new long[events];
            var n = 0;
            await foreach (var e in cache.WatchAsync(Prefix, new WatchOptions(start.ModRevision, ProgressNotify: true), stop.Token))
            {
                if (e.Type == StorageEventType.Progress)
                {
                    if (n == 0 && !ready.IsSet)
                    {
                        ready.Signal();
                    }

                    continue;
                }

                mine[n++] = Stopwatch.GetTimestamp() - BitConverter.ToInt64(e.Kv!.Value.Span);
                if (n == events)
                {
                    return;
                }
            }
        }, ct)).ToArray();
        ready.Wait(ct);

        var value = new byte[size];
        var sw = Stopwatch.StartNew();
        var current = start.ModRevision;
        for (var i = 0; i < events; i++)
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                while (sw.Elapsed < due)
                {
                    await Task.Yield();
                }
            }

            BitConverter.TryWriteBytes(value, Stopwatch.GetTimestamp());
            var r = await cache.CompareAndSwapAsync(key, current, value, ct);
            current = r.Revision;
        }

        await Task.WhenAll(consumers).WaitAsync(TimeSpan.FromMinutes(2), ct);
        var elapsed = sw.Elapsed.TotalSeconds;
        stop.Cancel();
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        var label = rate > 0 ? $"paced at {rate} writes/s" : "writer unthrottled";
        Console.WriteLine($"  {label,-26} {events * (long)watchers / elapsed,12:F0} events/s delivered ({events / elapsed:F0} writes/s)  " +
            $"latency median {Ms(all[all.Length / 2]):F3} ms, p99 {Ms(all[(int)(all.Length * 0.99)]):F3} ms");
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
