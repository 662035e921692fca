namespace Skiff.Bench.Storage;

/// <summary>A locked sorted dictionary: the bare data structure work of an in-memory ordered store, no versions.</summary>
public sealed class MemoryRawBaseline : IRawBaseline
{
    public string Name => "raw locked SortedDictionary";

    public Task<double> MeasureSingleWritesPerSecondAsync(TimeSpan duration, CancellationToken ct) => Task.Run(() => Insert(duration), ct);

    public Task<double> MeasureBatchedWritesPerSecondAsync(TimeSpan duration, CancellationToken ct) => Task.Run(() => Insert(duration), ct);

    public async Task<double> MeasureReadsPerSecondAsync(TimeSpan duration, int readers, CancellationToken ct)
    {
        var map = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 10_000; i++)
        {
            map[StorageBenchmark.Key(i)] = StorageBenchmark.Value;
        }

        var gate = new Lock();
        var counts = await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(() =>
        {
            var rng = new Random(r);
            long n = 0;
            var end = DateTime.UtcNow + duration;
            while (DateTime.UtcNow < end)
            {
                var key = StorageBenchmark.Key(rng.Next(10_000));
                lock (gate)
                {
                    map.TryGetValue(key, out _);
                }

                n++;
            }

            return n;
        }, ct)));
        return counts.Sum() / duration.TotalSeconds;
    }

    private static double Insert(TimeSpan duration)
    {
        var map = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var gate = new Lock();
        long n = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            var key = StorageBenchmark.Key((int)n++);
            var value = StorageBenchmark.Value.ToArray();
            lock (gate)
            {
                map[key] = value;
            }
        }

        return n / sw.Elapsed.TotalSeconds;
    }
}
