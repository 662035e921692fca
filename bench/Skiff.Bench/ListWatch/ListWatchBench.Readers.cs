using System.Diagnostics;
using System.Globalization;
using System.Net;
using Skiff.Bench.Client;
using Skiff.Client.Config;

namespace Skiff.Bench.ListWatch;

/// <summary>
/// The fan-out watchers in a child process (<c>list-watch-readers</c>), so that the bench process's CPU is the server's
/// (and the writer's) alone: the readers' TLS, HTTP/2 framing and parsing would otherwise double it. Delivery latency
/// compares <see cref="Stopwatch"/> timestamps across the two processes (CLOCK_MONOTONIC on Linux: one clock).
/// </summary>
public static partial class ListWatchBench
{
    /// <summary>
    /// The child: opens <c>--watchers</c> watches, prints <c>READY</c>, waits until each has <c>--expect</c> events (or
    /// the stream ended, or <c>--deadline</c> seconds passed) and prints
    /// <c>RESULT delivered complete p50 p99 cpu-ms</c>.
    /// </summary>
    public static async Task<int> RunReadersAsync(string[] args, CancellationToken ct)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(Arg("--kubeconfig")));
        var protobuf = args.Contains("--protobuf");
        var accept = Array.IndexOf(args, "--accept") is var ai and >= 0 ? args[ai + 1] : null;
        var watchers = BenchArgs.Int(args, "--watchers", 1000);
        var expect = BenchArgs.Int(args, "--expect", 1);
        var deadline = TimeSpan.FromSeconds(BenchArgs.Int(args, "--deadline", 60));
        using var client = Client(config.ClientCertificate, Arg("--http") == "1.1" ? HttpVersion.Version11 : HttpVersion.Version20);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // At most 32 opening at once: a thousand simultaneous TLS handshakes (HTTP/1.1: one connection per watch) outlast
        // Kestrel's handshake timeout on a busy machine, and no real client fleet opens its watches in one instant.
        using var opening = new SemaphoreSlim(32);
        var streams = await Task.WhenAll(Enumerable.Range(0, watchers).Select(async _ =>
        {
            await opening.WaitAsync(cts.Token).ConfigureAwait(false);
            try
            {
                return await OpenWatchAsync(client, Arg("--url"), Arg("--ns"), Arg("--rv"), protobuf, cts.Token, accept).ConfigureAwait(false);
            }
            finally
            {
                opening.Release();
            }
        })).ConfigureAwait(false);
        var counters = streams.Select(_ => new EventCounter()).ToArray();
        var readers = streams.Select((s, i) => Task.Run(() => ReadEventsAsync(s, protobuf, counters[i], cts.Token), CancellationToken.None)).ToArray();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        Console.WriteLine("READY");
        var complete = 0;
        var waited = Stopwatch.StartNew();
        foreach (var counter in counters)
        {
            var left = deadline - waited.Elapsed;
            complete += await counter.WaitForAsync(expect, left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false) ? 1 : 0;
        }

        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        await cts.CancelAsync().ConfigureAwait(false);
        foreach (var s in streams)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(readers).ConfigureAwait(false);
        var all = counters.SelectMany(c => c.Latencies()).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {counters.Sum(c => (long)c.Count)} {complete} {Stats.Median(all):0.00} {Stats.Percentile(all, 0.99):0.00} {cpuMs:0}"));
        return 0;
    }

    /// <summary>Starts the reader process and waits for its <c>READY</c>.</summary>
    private static async Task<ReaderProcess> StartReadersAsync(
        string kubeconfig, string url, string ns, string rv, int watchers, bool protobuf, string http, int expect, int deadlineSeconds, CancellationToken ct,
        string? accept = null)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ListWatchBench).Assembly.Location);
        }

        foreach (var a in new[]
        {
            "list-watch-readers", "--kubeconfig", kubeconfig, "--url", url, "--ns", ns, "--rv", rv, "--watchers", Itoa(watchers),
            "--expect", Itoa(expect), "--deadline", Itoa(deadlineSeconds), "--http", http == "HTTP/1.1" ? "1.1" : "2",
        })
        {
            info.ArgumentList.Add(a);
        }

        if (protobuf)
        {
            info.ArgumentList.Add("--protobuf");
        }

        if (accept is not null)
        {
            info.ArgumentList.Add("--accept");
            info.ArgumentList.Add(accept);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the reader process");
        var reader = new ReaderProcess(process);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        if (line != "READY")
        {
            reader.Dispose();
            throw new InvalidOperationException($"reader process: {line ?? "exited"} before READY");
        }

        return reader;
    }

    /// <summary>The reader process of one fan-out case; killed on disposal if it is still running.</summary>
    private sealed class ReaderProcess(Process process) : IDisposable
    {
        /// <summary>Waits for the RESULT line: events delivered, streams complete, p50 and p99 ms, the readers' CPU ms.</summary>
        public async Task<(long Delivered, int Complete, double P50, double P99, double CpuMs)> ResultAsync(CancellationToken ct)
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false)) is not null && !line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
            }

            if (line is null)
            {
                throw new InvalidOperationException("reader process exited without a result");
            }

            var f = line.Split(' ');
            var inv = CultureInfo.InvariantCulture;
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return (long.Parse(f[1], inv), int.Parse(f[2], inv), double.Parse(f[3], inv), double.Parse(f[4], inv), double.Parse(f[5], inv));
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }
}
