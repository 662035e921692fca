using System.Diagnostics;

namespace Skiff.Bench.Storage;

/// <summary>A closed loop of raw etcd calls: <c>clients</c> tasks each sending the next operation as soon as one returns.</summary>
internal static class EtcdLoad
{
    /// <summary>Runs <paramref name="op"/> (given 1, 2, 3, …) from <paramref name="clients"/> loops for <paramref name="duration"/>.</summary>
    /// <returns>The operations completed and the time they took.</returns>
    public static async Task<(long Operations, TimeSpan Elapsed)> RunAsync(int clients, TimeSpan duration, Func<long, Task> op, CancellationToken ct)
    {
        long n = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (sw.Elapsed < duration)
            {
                await op(Interlocked.Increment(ref n));
            }
        }, ct)));
        return (Interlocked.Read(ref n), sw.Elapsed);
    }
}
