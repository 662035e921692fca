using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Skiff.Bench.Client;

namespace Skiff.Bench.ListWatch;

/// <summary>The watch scenarios of <see cref="ListWatchBench"/>.</summary>
public static partial class ListWatchBench
{
    private static int _namespaces;

    /// <summary>Set by <c>--alloc-types</c>: byte-path fan-out cases print their sampled allocations by type.</summary>
    private static AllocationSampler? AllocTypes { get; set; }

    /// <summary>
    /// One watcher while <paramref name="clients"/> clients in a child process (<c>creates-load</c>, HTTP/2) create
    /// configmaps as fast as the server accepts them, so that the writers' TLS and framing neither share this process
    /// with the server nor limit what the watcher can be shown to take. Prints accepted writes/s, delivered events/s,
    /// delivery latency (stamped at send in the child) and the server's CPU per delivered event.
    /// </summary>
    private static async Task OneWatcherAsync(HttpClient client, string url, string pki, int seconds, int clients, CancellationToken ct)
    {
        foreach (var bytePath in new[] { false, true })
        {
            SetBytePath(bytePath);
            var ns = await FreshNamespaceAsync(client, url, ct).ConfigureAwait(false);
            var rv = await ListRevisionAsync(client, url, ns, ct).ConfigureAwait(false);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var watch = await OpenWatchAsync(client, url, ns, rv, protobuf: false, cts.Token).ConfigureAwait(false);
            var counter = new EventCounter();
            _ = Task.Run(() => ReadEventsAsync(watch, false, counter, cts.Token), CancellationToken.None);
            using var load = await Skiff.Bench.Api.CreateLoadProcess.StartAsync(
            [
                "--url", url, "--cert", Path.Combine(pki, "admin.crt"), "--key", Path.Combine(pki, "admin.key"), "--ca", Path.Combine(pki, "ca.crt"),
                "--path", $"/api/v1/namespaces/{ns}/configmaps", "--kind", "stamped-configmaps", "--prefix", "w", "--http", "2",
                "--clients", Itoa(clients), "--seconds", Itoa(seconds),
            ], ct).ConfigureAwait(false);
            var startTs = Stopwatch.GetTimestamp();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var r = await load.ResultAsync(ct).ConfigureAwait(false);
            var accepted = (int)Math.Round(r.PerSecond * seconds);
            var survived = await counter.WaitForAsync(accepted, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            var serverUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
            await cts.CancelAsync().ConfigureAwait(false);
            var latencies = counter.Latencies();
            Console.WriteLine($"one watcher {(bytePath ? "byte path" : "baseline "),-9}: {clients} HTTP/2 writer clients (child process): {r.PerSecond:0} writes/s accepted, "
                + $"{counter.Count / counter.Span(startTs):0} events/s delivered ({counter.Count}/{accepted}), delivery p50 {Stats.Median(latencies):0.0} ms "
                + $"p99 {Stats.Percentile(latencies, 0.99):0.0} ms, watch {(survived ? "survived" : "was closed early")}; "
                + $"server CPU {serverUs / Math.Max(1, counter.Count):0.0} µs per write+event; create p99 {r.P99Ms:0.0} ms, {r.Errors} errors; load {LoadAverage()}");
        }

        SetBytePath(true);
    }

    /// <summary>
    /// <paramref name="watchers"/> watchers of one namespace (in a reader process, over <paramref name="protocol"/>) while
    /// one writer creates <paramref name="rate"/> configmaps/s. The server's CPU per delivered event is this process's
    /// CPU over the case less what the same writes cost with no watcher, measured right after each case once the reader
    /// process has exited (so no watch connection is open while the writes alone are measured).
    /// </summary>
    private static async Task FanoutAsync(string kubeconfig, HttpClient writer, string protocol, string url, int watchers, int rate, int seconds, CancellationToken ct)
    {
        var total = rate * seconds;

        // Warm-up (not reported): one short byte-path case per format, so that neither the writes-only measure nor a
        // format's measure pays the JIT's tiering of the write and watch paths (under load the background compiler lags:
        // a writes-only measure taken first cost 2-4x a warm one and made the subtracted figures negative).
        foreach (var protobuf in new[] { false, true })
        {
            await FanoutCaseAsync(kubeconfig, writer, protocol, url, watchers, rate, 1, protobuf, null,
                $"{(protobuf ? "protobuf" : "json"),-8} warm-up  ", ct).ConfigureAwait(false);
        }

        var cpus = new Dictionary<(bool, bool), double>();
        foreach (var protobuf in new[] { false, true })
        {
            foreach (var bytePath in new[] { false, true })
            {
                SetBytePath(bytePath);
                cpus[(protobuf, bytePath)] = await FanoutCaseAsync(
                    kubeconfig, writer, protocol, url, watchers, rate, seconds, protobuf, null, $"{(protobuf ? "protobuf" : "json"),-8} {(bytePath ? "byte path" : "baseline "),-9}", ct).ConfigureAwait(false);
            }
        }

        SetBytePath(true);
        Console.WriteLine($"fan-out {protocol}: server CPU per event baseline/byte path json {cpus[(false, false)] / cpus[(false, true)]:0.00}×, "
            + $"protobuf {cpus[(true, false)] / cpus[(true, true)]:0.00}×; protobuf/json (byte path) {cpus[(true, true)] / cpus[(false, true)]:0.00}×");
    }

    /// <summary>
    /// One fan-out case: <paramref name="watchers"/> watchers (Accept <paramref name="accept"/>, or plain JSON/protobuf)
    /// of a fresh namespace while <paramref name="rate"/> configmaps/s are created; prints the line labelled
    /// <paramref name="label"/> and returns the server's CPU µs per delivered event: the case's CPU less that of the same
    /// writes into another fresh namespace after the reader process has exited (no watcher open, the server otherwise idle).
    /// </summary>
    private static async Task<double> FanoutCaseAsync(string kubeconfig, HttpClient writer, string protocol, string url, int watchers, int rate, int seconds,
        bool protobuf, string? accept, string label, CancellationToken ct)
    {
        var total = rate * seconds;
        var ns = await FreshNamespaceAsync(writer, url, ct).ConfigureAwait(false);
        var rv = await ListRevisionAsync(writer, url, ns, ct).ConfigureAwait(false);
        using var readers = await StartReadersAsync(kubeconfig, url, ns, rv, watchers, protobuf, protocol, total, seconds + 30, ct, accept).ConfigureAwait(false);
        var sample = AllocTypes is not null && label.Contains("byte path", StringComparison.Ordinal);
        if (sample)
        {
            AllocTypes!.Start();
        }

        var before = WriterCost.Now();
        await WriteAtRateAsync(writer, url, ns, rate, total, ct).ConfigureAwait(false);
        var (delivered, complete, p50, p99, readerCpuMs) = await readers.ResultAsync(ct).ConfigureAwait(false);
        var used = WriterCost.Now() - before;
        var types = sample ? AllocTypes!.Stop(12) : null;
        var writesOnly = await WriteAtRateAsync(writer, url, await FreshNamespaceAsync(writer, url, ct).ConfigureAwait(false), rate, total, ct).ConfigureAwait(false);
        var perEvent = (used.Cpu - writesOnly.Cpu).TotalMicroseconds / Math.Max(1, delivered);
        Console.WriteLine($"fan-out {protocol} {label}: {watchers} watchers × {rate}/s, "
            + $"{delivered}/{(long)total * watchers} delivered, {complete} streams complete, delivery p50 {p50:0.0} ms p99 {p99:0.0} ms, "
            + $"server CPU {perEvent:0.00} µs per delivered event (case {used.Cpu.TotalMilliseconds:0} ms − writes alone {writesOnly.Cpu.TotalMilliseconds:0} ms; readers' process {readerCpuMs * 1000 / Math.Max(1, delivered):0.00} µs), "
            + $"{(double)(used.Allocated - writesOnly.Allocated) / Math.Max(1, delivered):0} B allocated and "
            + $"{(double)(used.WorkItems - writesOnly.WorkItems) / Math.Max(1, delivered):0.00} thread-pool items per event; load {LoadAverage()}");
        if (types is not null)
        {
            Console.WriteLine($"  allocation samples by type (writes included):{Environment.NewLine}{types}");
        }
        return perEvent;
    }

    /// <summary>Creates <paramref name="total"/> configmaps at <paramref name="rate"/>/s; returns what this process spent over it.</summary>
    private static async Task<WriterCost> WriteAtRateAsync(HttpClient writer, string url, string ns, int rate, int total, CancellationToken ct)
    {
        var before = WriterCost.Now();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - sw.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct).ConfigureAwait(false);
            }

            await CreateConfigMapAsync(writer, url, ns, $"f-{i}", ct).ConfigureAwait(false);
        }

        return WriterCost.Now() - before;
    }

    /// <summary>What this process spent (CPU, bytes allocated, thread-pool work items completed): a snapshot or a difference.</summary>
    private readonly record struct WriterCost(TimeSpan Cpu, long Allocated, long WorkItems)
    {
        public static WriterCost Now() => new(Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(), ThreadPool.CompletedWorkItemCount);

        public WriterCost Scale(double f) => new(Cpu * f, (long)(Allocated * f), (long)(WorkItems * f));

        public static WriterCost operator -(WriterCost a, WriterCost b) => new(a.Cpu - b.Cpu, a.Allocated - b.Allocated, a.WorkItems - b.WorkItems);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static async Task<string> FreshNamespaceAsync(HttpClient client, string url, CancellationToken ct)
    {
        var ns = "bench-watch-" + Interlocked.Increment(ref _namespaces);
        await CreateNamespaceAsync(client, url, ns, ct).ConfigureAwait(false);
        return ns;
    }

    private static async Task<string> ListRevisionAsync(HttpClient client, string url, string ns, CancellationToken ct)
    {
        var body = await client.GetStringAsync($"{url}/api/v1/namespaces/{ns}/configmaps?limit=1", ct).ConfigureAwait(false);
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    private static async Task<Stream> OpenWatchAsync(HttpClient client, string url, string ns, string rv, bool protobuf, CancellationToken ct, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&allowWatchBookmarks=true");
        request.Headers.TryAddWithoutValidation("Accept", accept ?? (protobuf ? "application/vnd.kubernetes.protobuf;stream=watch" : "application/json"));
        request.Version = client.DefaultRequestVersion;
        request.VersionPolicy = client.DefaultVersionPolicy;
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    private static async Task CreateConfigMapAsync(HttpClient client, string url, string ns, string name, CancellationToken ct)
    {
        // The send stamp is an annotation, so that PartialObjectMetadata and Table watchers (whose rows carry the metadata) see it too.
        var body = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","labels":{"bench":"watch"},"annotations":{"bench/sent":"@T{{{Itoa(Stopwatch.GetTimestamp())}}}@"}},"data":{"k":"v"}}""";
        using var response = await client.PostAsync($"{url}/api/v1/namespaces/{ns}/configmaps", Json(body), ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Reads events (JSON lines or length-prefixed protobuf frames) and records each one's delivery latency.</summary>
    private static async Task ReadEventsAsync(Stream stream, bool protobuf, EventCounter counter, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                filled += n;
                var now = Stopwatch.GetTimestamp();
                var start = 0;
                while (true)
                {
                    int end;
                    int next;
                    if (protobuf)
                    {
                        if (filled - start < 4)
                        {
                            break;
                        }

                        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start));
                        if (filled - start - 4 < length)
                        {
                            break;
                        }

                        end = start + 4 + length;
                        next = end;
                    }
                    else
                    {
                        var nl = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                        if (nl < 0)
                        {
                            break;
                        }

                        end = start + nl;
                        next = end + 1;
                    }

                    counter.Record(buffer.AsSpan(start, end - start), now);
                    start = next;
                }

                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        catch (HttpRequestException)
        {
        }
        finally
        {
            counter.Ended();
        }
    }

    /// <summary>What one watcher received: events carrying a send stamp and their delivery latencies.</summary>
    private sealed class EventCounter
    {
        private static readonly byte[] Marker = Encoding.ASCII.GetBytes("@T");
        private readonly List<double> _latencies = [];
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _target = int.MaxValue;
        private long _last;

        public int Count { get; private set; }

        public void Record(ReadOnlySpan<byte> ev, long now)
        {
            var at = ev.IndexOf(Marker);
            if (at < 0)
            {
                return; // a bookmark
            }

            var digits = ev[(at + 2)..];
            var stop = digits.IndexOf((byte)'@');
            if (stop < 0 || !long.TryParse(digits[..stop], out var sent))
            {
                return;
            }

            lock (_gate)
            {
                _latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                _last = now;
                if (++Count >= _target)
                {
                    _done.TrySetResult();
                }
            }
        }

        public void Ended() => _done.TrySetResult();

        /// <summary>Seconds from <paramref name="start"/> (a timestamp) to the last event.</summary>
        public double Span(long start) => _last == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, _last).TotalSeconds;

        public List<double> Latencies()
        {
            lock (_gate)
            {
                return [.. _latencies];
            }
        }

        /// <summary>Waits until <paramref name="count"/> events arrived (true) or the stream ended or the deadline passed (false).</summary>
        public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
        {
            lock (_gate)
            {
                _target = count;
                if (Count >= count)
                {
                    return true;
                }
            }

            await Task.WhenAny(_done.Task, Task.Delay(timeout)).ConfigureAwait(false);
            lock (_gate)
            {
                return Count >= count;
            }
        }
    }
}
