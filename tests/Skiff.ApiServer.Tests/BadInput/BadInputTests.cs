using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// The bad-input suite (issue 17): every body of <see cref="BadInputCorpus"/> sent to every <see cref="BadInputTarget"/>
/// that takes it must be answered with a 4xx Status within a deadline, the server's memory must stay within a bound
/// over the whole run (see <see cref="MemoryMeter"/>), and nothing may be stored.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class BadInputTests(BadInputServerFixture f, ITestOutputHelper output)
{
    /// <summary>A generous per-request deadline (the shared CI machine builds four other branches meanwhile).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>How much of the server's heap may still be held after the run (after an aggressive collection).</summary>
    public const long MemoryBound = 100L * 1024 * 1024;

    /// <summary>
    /// How much the server's heap and working set may grow at any point of the run, measured after a forced collection
    /// when a sample passes <see cref="MemoryBound"/>. Larger than <see cref="MemoryBound"/> because the shared
    /// <see cref="System.Buffers.ArrayPool{T}"/> keeps the large buffers of the 2–3 MiB bodies (System.Text.Json's
    /// parse and write buffers) for reuse and trims them only on time or memory pressure; a decoder that expands its
    /// input (CVE-2019-11253) passes this by gigabytes.
    /// </summary>
    public const long PeakMemoryBound = 256L * 1024 * 1024;

    [Fact]
    public async Task Corpus_EveryTarget_4xxWithinDeadlineMemoryBoundedNothingStored()
    {
        var corpus = BadInputCorpus.All; // built before the baseline: its bodies are the client's memory, not the server's
        var before = await f.SnapshotAsync();

        // Warm-up before the baseline: each target's code path and schemas once per media type (JIT, lazily built
        // schemas and OpenAPI documents are start-up costs, not what bad input costs).
        foreach (var target in BadInputTarget.All)
        {
            foreach (var body in corpus.Where(b => !b.Huge && target.Takes(b)).GroupBy(b => b.ContentType).Select(g => g.First()))
            {
                await SendAsync(target, body);
            }
        }

        var meter = MemoryMeter.Start(MemoryBound);
        var failures = new List<string>();
        var worst = (Elapsed: TimeSpan.Zero, What: "");
        var peakAt = "";
        var sent = 0;
        var codes = new SortedDictionary<int, int>();
        foreach (var target in BadInputTarget.All)
        {
            foreach (var body in corpus.Where(target.Takes))
            {
                var what = $"{body.Name} → {target.Name}";
                var (status, text, elapsed) = await SendAsync(target, body);
                if (meter.Sample())
                {
                    peakAt = what;
                }

                sent++;
                codes[status] = codes.GetValueOrDefault(status) + 1;
                if (elapsed > worst.Elapsed)
                {
                    worst = (elapsed, what);
                }

                if (status is < 400 or >= 500)
                {
                    failures.Add($"{what}: {status} {Short(text)}");
                }
            }
        }

        var after = await f.SnapshotAsync();
        var retained = meter.RetainedHeapGrowth();
        output.WriteLine($"{BadInputCorpus.All.Count} bodies, {BadInputTarget.All.Count} targets, {sent} requests; codes {string.Join(", ", codes.Select(c => $"{c.Key}×{c.Value}"))}");
        output.WriteLine($"slowest {worst.Elapsed.TotalMilliseconds:F0} ms ({worst.What}); peak heap growth {MemoryMeter.Mb(meter.PeakHeapGrowth)}, peak working set growth {MemoryMeter.Mb(meter.PeakWorkingSetGrowth)} ({meter.Collections} forced collections; {MemoryMeter.Mb(meter.LazyPeakWorkingSetGrowth)} before collecting), retained heap {MemoryMeter.Mb(retained)}; last peak after {peakAt}");

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests were not answered with a 4xx:\n" + string.Join("\n", failures));
        Assert.Equal(before, after);
        Assert.True(meter.PeakHeapGrowth < PeakMemoryBound, $"heap grew by {MemoryMeter.Mb(meter.PeakHeapGrowth)} (last peak after {peakAt})");
        Assert.True(meter.PeakWorkingSetGrowth < PeakMemoryBound, $"working set grew by {MemoryMeter.Mb(meter.PeakWorkingSetGrowth)} (last peak after {peakAt})");
        Assert.True(retained < MemoryBound, $"the heap still holds {MemoryMeter.Mb(retained)} more than before the run");
    }

    /// <summary>Sends one body; a request that gets no answer within <see cref="Deadline"/> counts as status 0.</summary>
    internal async Task<(int Status, string Text, TimeSpan Elapsed)> SendAsync(BadInputTarget target, BadBody body)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var sw = Stopwatch.StartNew();
        try
        {
            var (status, text) = await f.SendAsync(target.Method, target.PathAndQuery, target.Fill(body), target.ContentTypeFor(body), cts.Token);
            return (status, text, sw.Elapsed);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (0, $"no answer within {Deadline.TotalSeconds} s", sw.Elapsed);
        }
    }

    private static string Short(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
