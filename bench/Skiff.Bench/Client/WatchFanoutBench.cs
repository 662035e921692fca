using System.Diagnostics;
using k8s.Models;
using Skiff.ApiServer.Endpoints;

namespace Skiff.Bench.Client;

/// <summary>
/// Watch fan-out over HTTPS: W raw watch streams (JSON or protobuf) on one namespace's pods of an in-process server,
/// N pod updates, until every watcher has read every event. Reports wall time and process CPU per event delivered
/// (server encode + TLS + the watchers' reads, which only count bytes), with the shared frame cache
/// (<see cref="WatchFrameCache"/>) on and off, interleaved in one run.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- watch-fanout [--watchers 50] [--updates 300] [--runs 3]</c>.
/// </summary>
public static class WatchFanoutBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var watchers = BenchArgs.Int(args, "--watchers", 50);
        var updates = BenchArgs.Int(args, "--updates", 300);
        var runs = BenchArgs.Int(args, "--runs", 3);
        Console.WriteLine($"watch fan-out bench: {watchers} watchers × {updates} pod updates over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        const string ns = "bench-fanout";
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var pod = await cs.CoreV1().Pods(ns).CreateAsync(WireFormatBench.Pod(0), ct: ct).ConfigureAwait(false);

        var results = new Dictionary<(bool Protobuf, bool Cache), List<(double WallMs, double CpuUs)>>();
        for (var run = -1; run < runs; run++)
        {
            foreach (var protobuf in new[] { true, false })
            {
                foreach (var cache in run % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    WatchFrameCache.Enabled = cache;
                    var (wall, cpu) = await OneAsync(cs, ns, pod.Metadata.Name, protobuf, watchers, updates, ct).ConfigureAwait(false);
                    if (run >= 0)
                    {
                        (results.TryGetValue((protobuf, cache), out var l) ? l : results[(protobuf, cache)] = []).Add((wall, cpu));
                    }
                }
            }
        }

        WatchFrameCache.Enabled = true;
        foreach (var protobuf in new[] { true, false })
        {
            var on = results[(protobuf, true)];
            var off = results[(protobuf, false)];
            var cpuOn = Stats.Median(on.Select(r => r.CpuUs).ToList());
            var cpuOff = Stats.Median(off.Select(r => r.CpuUs).ToList());
            Console.WriteLine($"{(protobuf ? "protobuf" : "json"),-8} frame cache on: {Stats.Median(on.Select(r => r.WallMs).ToList()):0} ms wall, {cpuOn:0.0} µs CPU/event delivered; "
                + $"off: {Stats.Median(off.Select(r => r.WallMs).ToList()):0} ms, {cpuOff:0.0} µs/event; CPU ratio off/on {cpuOff / cpuOn:0.00}× ({runs} runs, medians)");
        }
    }

    private static async Task<(double WallMs, double CpuUsPerEvent)> OneAsync(Skiff.Client.Typed.Clientset cs, string ns, string name,
        bool protobuf, int watchers, int updates, CancellationToken ct)
    {
        var start = await cs.CoreV1().Pods(ns).GetAsync(name, ct: ct).ConfigureAwait(false);
        var rv = start.Metadata.ResourceVersion;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var accept = protobuf ? "application/vnd.kubernetes.protobuf;stream=watch" : "application/json";
        var streams = await Task.WhenAll(Enumerable.Range(0, watchers).Select(_ => cs.Rest.Get().Namespace(ns).Resource("pods")
            .Param("watch", "true").Param("resourceVersion", rv).Accept(accept).StreamAsync(cts.Token))).ConfigureAwait(false);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var readers = streams.Select(s => Task.Run(() => CountEventsAsync(s, protobuf, updates, cts.Token))).ToArray();
        var current = start;
        for (var i = 0; i < updates; i++)
        {
            current.Metadata.Labels["round"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            current = await cs.CoreV1().Pods(ns).UpdateAsync(current, ct: ct).ConfigureAwait(false);
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
        var wall = sw.Elapsed.TotalMilliseconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds;
        await cts.CancelAsync().ConfigureAwait(false);
        foreach (var s in streams)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }

        return (wall, cpu / ((double)watchers * updates));
    }

    /// <summary>Reads until <paramref name="events"/> events arrived: protobuf frames by their length prefix, JSON by lines.</summary>
    private static async Task CountEventsAsync(Stream stream, bool protobuf, int events, CancellationToken ct)
    {
        var seen = 0;
        if (protobuf)
        {
            while (seen < events && await Skiff.Api.Protobuf.ProtobufWatch.ReadFrameAsync(stream, ct).ConfigureAwait(false) is not null)
            {
                seen++;
            }
        }
        else
        {
            using var reader = new StreamReader(stream);
            while (seen < events && await reader.ReadLineAsync(ct).ConfigureAwait(false) is not null)
            {
                seen++;
            }
        }

        if (seen < events)
        {
            throw new InvalidOperationException($"watch ended after {seen} of {events} events");
        }
    }
}
