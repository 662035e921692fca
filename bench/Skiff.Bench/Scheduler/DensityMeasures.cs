using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Skiff.Client.Rest;

namespace Skiff.Bench.Scheduler;

/// <summary>The process's memory at one moment: RSS and the GC heap after a full collection.</summary>
internal readonly record struct MemorySample(long Rss, long Heap)
{
    public static MemorySample Take()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return new MemorySample(process.WorkingSet64, heap);
    }

    /// <summary>"RSS x KB, GC heap y KB" per <paramref name="per"/> units of what grew between <paramref name="from"/> and this sample.</summary>
    public string PerUnit(MemorySample from, double units, double per, string unit)
    {
        var scale = per / Math.Max(units, 1);
        return $"RSS {Size((Rss - from.Rss) * scale)}, GC heap {Size((Heap - from.Heap) * scale)} per {unit}";
    }

    private static string Size(double bytes) => Math.Abs(bytes) >= 10 * 1048576.0 ? $"{bytes / 1048576:0.0} MB" : $"{bytes / 1024:0.0} KB";

    public override string ToString() => $"RSS {Rss / 1048576.0:0} MB, GC heap {Heap / 1048576.0:0} MB";
}

/// <summary>
/// Upstream clusterloader2's APIResponsivenessPrometheus for mutating calls, from the server's own
/// <c>apiserver_request_duration_seconds</c> histogram: the 99th percentile (interpolated in the bucket, as
/// <c>histogram_quantile</c>) per verb, resource and subresource over POST, PUT, PATCH and DELETE.
/// </summary>
internal static partial class MutatingLatency
{
    public sealed record Series(string Verb, string Resource, string Subresource, long Count, double P99Seconds)
    {
        public override string ToString() => $"{Verb} {Resource}{(Subresource.Length > 0 ? "/" + Subresource : "")}: p99 {P99Seconds * 1000:0} ms (n={Count})";
    }

    /// <summary>Scrapes <c>/metrics</c> with <paramref name="rest"/> (an admin client) and returns the series, worst first.</summary>
    public static async Task<List<Series>> ScrapeAsync(RestClient rest, CancellationToken ct)
    {
        var text = (await rest.Get().AbsPath("/metrics").Accept("text/plain").DoAsync(ct).ConfigureAwait(false)).AsString();
        return Parse(text);
    }

    /// <summary>The mutating series of a Prometheus text exposition.</summary>
    public static List<Series> Parse(string text)
    {
        var buckets = new Dictionary<(string Verb, string Resource, string Sub), List<(double Le, long Count)>>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("apiserver_request_duration_seconds_bucket{", StringComparison.Ordinal))
            {
                continue;
            }

            var labels = Labels().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            var verb = labels.GetValueOrDefault("verb", "");
            if (verb is not ("POST" or "PUT" or "PATCH" or "DELETE" or "CREATE" or "UPDATE" or "APPLY"))
            {
                continue;
            }

            var le = labels.GetValueOrDefault("le", "+Inf");
            var value = line[(line.LastIndexOf(' ') + 1)..].Trim();
            var key = (verb, labels.GetValueOrDefault("resource", ""), labels.GetValueOrDefault("subresource", ""));
            if (!buckets.TryGetValue(key, out var list))
            {
                buckets[key] = list = [];
            }

            list.Add((le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture), (long)double.Parse(value, CultureInfo.InvariantCulture)));
        }

        return [.. buckets.Select(kv => Quantile(kv.Key, kv.Value)).Where(s => s.Count > 0).OrderByDescending(s => s.P99Seconds)];
    }

    private static Series Quantile((string Verb, string Resource, string Sub) key, List<(double Le, long Count)> buckets)
    {
        buckets.Sort((a, b) => a.Le.CompareTo(b.Le));
        var total = buckets[^1].Count;
        var rank = 0.99 * total;
        double lower = 0;
        long below = 0;
        foreach (var (le, count) in buckets)
        {
            if (count >= rank)
            {
                // Prometheus's histogram_quantile: linear within the bucket; the +Inf bucket answers the last finite bound.
                var p99 = double.IsPositiveInfinity(le) ? lower : lower + ((le - lower) * (rank - below) / Math.Max(count - below, 1));
                return new Series(key.Verb, key.Resource, key.Sub, total, p99);
            }

            lower = le;
            below = count;
        }

        return new Series(key.Verb, key.Resource, key.Sub, total, lower);
    }

    [GeneratedRegex("([a-z_]+)=\"([^\"]*)\"")]
    private static partial Regex Labels();
}
