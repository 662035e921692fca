using System.Diagnostics;
using k8s;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;

namespace Skiff.Bench.Client;

/// <summary>
/// Client SDK benchmarks against an in-process API server on loopback: informer initial sync of many pods (time and
/// retained memory), watch-event throughput through one shared informer to 10 handlers, work-queue operations per
/// second, and typed Get/List latency beside KubernetesClient's <c>k8s.Kubernetes</c> on the same server in the same
/// run (ratio). Every figure is a median over repeated runs.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- client [--quick]</c>.
/// </summary>
public static class ClientBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var quick = args.Contains("--quick");
        var pods = quick ? 1000 : 10_000;
        Console.WriteLine($"client bench ({(quick ? "quick" : "full")}); .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        WorkQueueOps(quick ? 100_000 : 1_000_000);
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        await CreatePodsAsync(cs, "bench-sync", pods, ct).ConfigureAwait(false);
        await InitialSyncAsync(cs, pods, quick ? 3 : 5, ct).ConfigureAwait(false);
        await FanOutAsync(cs, quick ? 2000 : 10_000, ct).ConfigureAwait(false);
        await LatencyAsync(server, cs, quick ? 200 : 1000, ct).ConfigureAwait(false);
    }

    private static void WorkQueueOps(int items)
    {
        foreach (var workers in new[] { 1, 4 })
        {
            var samples = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                var q = new WorkQueue<int>();
                var sw = Stopwatch.StartNew();
                var consumers = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
                {
                    await foreach (var i in q.ReadAllAsync())
                    {
                        q.Done(i);
                    }
                })).ToArray();
                for (var i = 0; i < items; i++)
                {
                    q.Add(i % 50_000);
                }

                q.ShutDown();
                Task.WaitAll(consumers);
                samples.Add(items / sw.Elapsed.TotalSeconds);
            }

            Console.WriteLine($"workqueue Add+Get+Done, 50k distinct keys, {workers} worker(s): median {Stats.Median(samples) / 1e6:0.00} M adds/s (5 runs of {items})");
        }
    }

    private static async Task CreatePodsAsync(Clientset cs, string ns, int count, CancellationToken ct)
    {
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var pods = cs.CoreV1().Pods(ns);
        var sw = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await pods.CreateAsync(Pod($"pod-{i:D5}", i), ct: ct).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        Console.WriteLine($"setup: created {count} pods in {sw.Elapsed.TotalSeconds:0.0} s ({count / sw.Elapsed.TotalSeconds:0} creates/s, 32 concurrent)");
    }

    private static V1Pod Pod(string name, int i) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = $"app-{i % 10}", ["tier"] = "bench" } },
        Spec = new V1PodSpec
        {
            NodeName = $"node-{i % 100}",
            Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.10", Args = ["--port", "8080"], Env = [new V1EnvVar { Name = "MODE", Value = "bench" }] }],
        },
    };

    private static async Task InitialSyncAsync(Clientset cs, int count, int runs, CancellationToken ct)
    {
        var times = new List<double>();
        var retained = new List<double>();
        var allocated = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (ms, alloc, held) = await SyncOnceAsync(cs, count, ct).ConfigureAwait(false);

            // In a fresh frame (a stack slot of the one that ran the informer could still reach it), measure without it.
            await Task.Yield();
            retained.Add(held - GC.GetTotalMemory(forceFullCollection: true));
            times.Add(ms);
            allocated.Add(alloc);
        }

        Console.WriteLine($"informer initial sync of {count} pods (list pages of 500 + watch): median {Stats.Median(times):0} ms, "
            + $"{count / (Stats.Median(times) / 1000):0} objects/s, retained {Stats.Median(retained) / count:0} B/pod ({Stats.Median(retained) / 1048576:0.0} MiB), "
            + $"allocated {Stats.Median(allocated) / count / 1024:0.0} KiB/pod ({runs} runs)");
    }

    /// <summary>One sync; returns its time, the bytes allocated meanwhile and the heap size while the informer was alive.</summary>
    private static async Task<(double Ms, double Allocated, long Held)> SyncOnceAsync(Clientset cs, int count, CancellationToken ct)
    {
        var allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        SharedIndexInformer<V1Pod>? informer = new(cs.CoreV1().Pods("bench-sync"));
        using var stop = new CancellationTokenSource();
        var sw = Stopwatch.StartNew();
        Task? running = informer.RunAsync(stop.Token);
        await informer.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
        var ms = sw.Elapsed.TotalMilliseconds;
        var alloc = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        if (informer.Indexer.Count != count)
        {
            throw new InvalidOperationException($"synced {informer.Indexer.Count} of {count}");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        var held = GC.GetTotalMemory(forceFullCollection: true);

        // Drop the references this method's state machine holds; the caller measures the heap without them.
        informer = null;
        running = null;
        return (ms, alloc, held);
    }

    private static async Task FanOutAsync(Clientset cs, int events, CancellationToken ct)
    {
        const int Handlers = 10;
        const int Keys = 50;
        var ns = "bench-fanout";
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var start = (await cms.ListAsync(ct: ct).ConfigureAwait(false)).Metadata.ResourceVersion;

        // Write the history first: Keys creates, then updates round-robin.
        var sw = Stopwatch.StartNew();
        var current = new V1ConfigMap[Keys];
        await Task.WhenAll(Enumerable.Range(0, Keys).Select(async k =>
        {
            current[k] = await cms.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{k}" }, Data = new Dictionary<string, string> { ["v"] = "0" } }, ct: ct).ConfigureAwait(false);
            for (var i = 1; i < events / Keys; i++)
            {
                current[k].Data["v"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                current[k] = await cms.UpdateAsync(current[k], ct: ct).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        var total = Keys * (events / Keys);
        Console.WriteLine($"setup: wrote {total} configmap changes in {sw.Elapsed.TotalSeconds:0.0} s ({total / sw.Elapsed.TotalSeconds:0} writes/s, {Keys} concurrent writers)");

        var rates = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var informer = new SharedIndexInformer<V1ConfigMap>(new ReplayListerWatcher<V1ConfigMap>(cms, start));
            var remaining = new CountdownEvent(Handlers);
            for (var h = 0; h < Handlers; h++)
            {
                var seen = 0;
                informer.AddEventHandler(new ResourceEventHandler<V1ConfigMap>(
                    onAdd: (_, _) => Count(),
                    onUpdate: (_, _) => Count()));
                void Count()
                {
                    if (++seen == total)
                    {
                        remaining.Signal();
                    }
                }
            }

            using var stop = new CancellationTokenSource();
            var t = Stopwatch.StartNew();
            var running = informer.RunAsync(stop.Token);
            await Task.Run(() => remaining.Wait(TimeSpan.FromMinutes(5), ct), ct).ConfigureAwait(false);
            var seconds = t.Elapsed.TotalSeconds;
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            if (!remaining.IsSet)
            {
                throw new InvalidOperationException("handlers did not see every event");
            }

            rates.Add(total / seconds);
        }

        Console.WriteLine($"watch → one shared informer → {Handlers} handlers, replaying {total} stored events: median {Stats.Median(rates):0} events/s "
            + $"({Stats.Median(rates) * Handlers:0} handler deliveries/s, 3 runs)");
    }

    private static async Task LatencyAsync(BenchServer server, Clientset cs, int iterations, CancellationToken ct)
    {
        var ns = "bench-latency";
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        for (var i = 0; i < 100; i++)
        {
            await cs.CoreV1().Pods(ns).CreateAsync(Pod($"p-{i:D3}", i), ct: ct).ConfigureAwait(false);
        }

        using var k8sClient = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
        var ours = cs.CoreV1().Pods(ns);
        var cases = new (string Name, Func<Task> Skiff, Func<Task> Baseline)[]
        {
            ("Get pod", () => ours.GetAsync("p-042", ct: ct), () => k8sClient.CoreV1.ReadNamespacedPodAsync("p-042", ns, cancellationToken: ct)),
            ("List 100 pods", () => ours.ListAsync(ct: ct), () => k8sClient.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct)),
            ("List 100 pods, label selector", () => ours.ListAsync(new ListOptions { LabelSelector = "app=app-3" }, ct), () => k8sClient.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=app-3", cancellationToken: ct)),
        };
        foreach (var (name, skiff, baseline) in cases)
        {
            // Warm up both, then interleave so drift affects both alike.
            for (var i = 0; i < 20; i++)
            {
                await skiff().ConfigureAwait(false);
                await baseline().ConfigureAwait(false);
            }

            var a = new List<double>();
            var b = new List<double>();
            for (var i = 0; i < iterations; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await skiff().ConfigureAwait(false);
                a.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                t = Stopwatch.GetTimestamp();
                await baseline().ConfigureAwait(false);
                b.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            }

            Console.WriteLine($"{name,-32} Skiff.Client median {Stats.Median(a) / 1000:0.000} ms (p90 {Stats.Percentile(a, 0.9) / 1000:0.000}), "
                + $"k8s.Kubernetes median {Stats.Median(b) / 1000:0.000} ms (p90 {Stats.Percentile(b, 0.9) / 1000:0.000}), ratio {Stats.Median(a) / Stats.Median(b):0.00}x ({iterations} each)");
        }
    }
}
