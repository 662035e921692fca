using System.Globalization;

namespace Skiff.Bench.Storage;

/// <summary>
/// A snapshot of a throw-away etcd's own counters (its <c>/metrics</c> on the client URL): the gRPC calls it handled per
/// method, the watch events it sent, its process CPU and the bytes its Go runtime allocated. The difference of two
/// snapshots divided by the creates in between gives etcd round trips, etcd CPU and etcd allocation per create, which
/// the client side cannot see.
/// </summary>
internal sealed record EtcdMetrics(IReadOnlyDictionary<string, double> Calls, double WatchMessages, double CpuSeconds, double AllocatedBytes)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Reads the counters of the etcd at <paramref name="clientUrl"/>.</summary>
    public static async Task<EtcdMetrics> ScrapeAsync(string clientUrl, CancellationToken ct)
    {
        var text = await Http.GetStringAsync($"{clientUrl.TrimEnd('/')}/metrics", ct).ConfigureAwait(false);
        var calls = new Dictionary<string, double>(StringComparer.Ordinal);
        double watch = 0, cpu = 0, allocated = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("grpc_server_handled_total{", StringComparison.Ordinal))
            {
                var method = Label(line, "grpc_method");
                calls[method] = calls.GetValueOrDefault(method) + Value(line);
            }
            else if (line.StartsWith("grpc_server_msg_sent_total{", StringComparison.Ordinal) && Label(line, "grpc_method") == "Watch")
            {
                watch += Value(line);
            }
            else if (line.StartsWith("process_cpu_seconds_total ", StringComparison.Ordinal))
            {
                cpu = Value(line);
            }
            else if (line.StartsWith("go_memstats_alloc_bytes_total ", StringComparison.Ordinal))
            {
                allocated = Value(line);
            }
        }

        return new EtcdMetrics(calls, watch, cpu, allocated);
    }

    /// <summary>
    /// The unary calls (Txn, Range, Put, …) and watch messages etcd handled per operation since <paramref name="before"/>,
    /// its CPU ms and allocated KiB per operation: <c>Txn 1.00, watch-msgs 0.97, etcd cpu 0.081 ms, etcd alloc 52.1 KiB</c>.
    /// </summary>
    public string PerOperation(EtcdMetrics before, double operations)
    {
        var n = Math.Max(1, operations);
        var parts = new List<string>();
        foreach (var (method, count) in Calls.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var delta = count - before.Calls.GetValueOrDefault(method);
            if (delta / n >= 0.005)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{method} {delta / n:F2}"));
            }
        }

        parts.Add(string.Create(CultureInfo.InvariantCulture, $"watch-msgs {(WatchMessages - before.WatchMessages) / n:F2}"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"etcd cpu {CpuMs(before, n):F3} ms"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"etcd alloc {AllocatedKiB(before, n):F1} KiB"));
        return string.Join(", ", parts);
    }

    /// <summary>etcd's CPU milliseconds per operation since <paramref name="before"/>.</summary>
    public double CpuMs(EtcdMetrics before, double operations) => (CpuSeconds - before.CpuSeconds) * 1000 / Math.Max(1, operations);

    /// <summary>The KiB etcd's Go runtime allocated per operation since <paramref name="before"/>.</summary>
    public double AllocatedKiB(EtcdMetrics before, double operations) => (AllocatedBytes - before.AllocatedBytes) / 1024 / Math.Max(1, operations);

    private static string Label(string line, string name)
    {
        var start = line.IndexOf(name + "=\"", StringComparison.Ordinal) + name.Length + 2;
        return line[start..line.IndexOf('"', start)];
    }

    private static double Value(string line) =>
        double.Parse(line.AsSpan(line.LastIndexOf(' ') + 1), NumberStyles.Float, CultureInfo.InvariantCulture);
}
