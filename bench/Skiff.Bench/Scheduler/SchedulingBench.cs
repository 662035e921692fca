using System.Diagnostics;
using System.Diagnostics.Metrics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;

namespace Skiff.Bench.Scheduler;

/// <summary>
/// Upstream scheduler_perf's SchedulingBasic, in process: an API server (HTTPS, memory store; ServiceAccount and
/// Priority admission off, as scheduler_perf's server runs) with N Node objects (default 500, 4 cpu / 32 Gi / 110 pods
/// each, upstream's node template), the scheduler with the default profile (unthrottled client, no leader election),
/// then upstream's workload: <c>--init-pods</c> (default 500) created and scheduled unmeasured, then per run
/// <c>--pods</c> (default 1,000, upstream's 500Nodes workload; 10,000 in its 5000Nodes one) created by
/// <c>--writers</c> concurrent clients into a fresh namespace while upstream's <see cref="ThroughputCollector"/> samples
/// the pods seen scheduled on the scheduler's own informer once a second. Reports per run upstream's
/// <c>SchedulingThroughput</c> (average and percentiles of the 1 s samples), the overall rate (pods over the time from
/// the first create until every pod is seen bound), the time creating took, the scheduler's algorithm time (sum of
/// <c>scheduler_scheduling_algorithm_duration_seconds</c>: snapshot, filter, score) and the process CPU; then the
/// medians. A run's pods are deleted (grace 0) before the next.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- scheduling [--nodes 500] [--init-pods 500] [--pods 1000] [--runs 3] [--writers 16] [--parallelism 16]</c>
/// (<c>--parallelism 1</c> filters and scores on the loop's thread, for a same-machine comparison). <c>--owned</c> makes each
/// measured run's pods belong to a ReplicaSet of their namespace (created with 0 replicas; no controller runs), as the
/// pods of <c>density</c> do: PodTopologySpread's system default constraints then apply (upstream's plugin defaults), so
/// the run measures the scheduling cost of workload pods rather than of bare ones.
/// </summary>
public static class SchedulingBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 500);
        var initPods = BenchArgs.Int(args, "--init-pods", 500);
        var podCount = BenchArgs.Int(args, "--pods", 1000);
        var runs = BenchArgs.Int(args, "--runs", 3);
        var writers = BenchArgs.Int(args, "--writers", 16);
        var parallelism = BenchArgs.Int(args, "--parallelism", 16);
        var owned = args.Contains("--owned");
        Console.WriteLine($"scheduling bench (SchedulingBasic): {nodes} nodes, {initPods} init pods, {podCount} measured pods per run, {writers} writers, scheduler parallelism {parallelism}{(owned ? ", pods owned by a ReplicaSet" : "")}, in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus; load average {DensityBench.LoadAverage()}");
        await using var server = await BenchServer.StartAsync(["ServiceAccount", "Priority"], ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        var alloc = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("32Gi"), ["pods"] = new("110") };
        await ParallelAsync(nodes, 32, i => cs.CoreV1().Nodes().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = $"node-{i}", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = $"node-{i}" } },
            Status = new V1NodeStatus { Allocatable = alloc, Capacity = alloc, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        }, ct: ct)).ConfigureAwait(false);

        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(server.KubeconfigPath)) with { Qps = 0 };
        using var scheduler = new KubeScheduler(new SchedulerOptions { Client = config, LeaderElect = false, Parallelism = parallelism });
        var bound = new BoundCounter();
        var collector = new ThroughputCollector();
        scheduler.Manager.Informers.Informer<V1Pod>().AddEventHandler(bound);
        scheduler.Manager.Informers.Informer<V1Pod>().AddEventHandler(collector);
        using var algorithm = new AlgorithmTime();
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);
        await scheduler.Manager.Elected.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);

        if (initPods > 0)
        {
            await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "sched-setup" } }, ct: ct).ConfigureAwait(false);
            var setup = bound.WaitAsync("sched-setup", initPods);
            var sw0 = Stopwatch.StartNew();
            await ParallelAsync(initPods, writers, i => cs.CoreV1().Pods("sched-setup").CreateAsync(Pod($"pod-{i}"), ct: ct)).ConfigureAwait(false);
            await setup.WaitAsync(TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
            Console.WriteLine($"  init: {initPods} pods scheduled in {sw0.Elapsed.TotalSeconds:0.00} s (not measured)");
        }

        var averages = new List<double>();
        var overall = new List<double>();
        var cpuPerPod = new List<double>();
        var process = Process.GetCurrentProcess();
        for (var run = 0; run < runs; run++)
        {
            var ns = $"sched-test-{run}";
            await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
            var owner = owned ? await OwnerAsync(cs, ns, ct).ConfigureAwait(false) : null;
            var done = bound.WaitAsync(ns, podCount);
            using var sampling = new CancellationTokenSource();
            var samples = collector.RunAsync(ns, sampling.Token);
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var algo0 = algorithm.Seconds;
            var runtime0 = RuntimeSample.Take();
            var sw = Stopwatch.StartNew();
            await ParallelAsync(podCount, writers, i => cs.CoreV1().Pods(ns).CreateAsync(Owned(Pod($"pod-{i}"), owner), ct: ct)).ConfigureAwait(false);
            var created = sw.Elapsed.TotalSeconds;
            await done.WaitAsync(TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
            var elapsed = sw.Elapsed.TotalSeconds;
            await sampling.CancelAsync().ConfigureAwait(false);
            var (avg, p50, p90, p99) = ThroughputCollector.Summary(await samples.ConfigureAwait(false));
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            var algo = algorithm.Seconds - algo0;
            var runtime = RuntimeSample.Take().Since(runtime0, podCount);
            averages.Add(avg);
            overall.Add(podCount / elapsed);
            cpuPerPod.Add(cpu * 1e3 / podCount);
            Console.WriteLine($"  run {run + 1}: SchedulingThroughput average {avg:0} pods/s (Perc50 {p50:0}, Perc90 {p90:0}, Perc99 {p99:0}); {podCount} pods bound in {elapsed:0.00} s ({podCount / elapsed:0} pods/s overall; creating took {created:0.00} s); "
                + $"scheduling algorithm {algo:0.00} s ({algo * 1e6 / podCount:0} µs/pod); process CPU {cpu:0.0} s ({cpu * 1e3 / podCount:0.00} ms/pod); load average {DensityBench.LoadAverage()}");
            Console.WriteLine($"    runtime during run {run + 1}: {runtime}");
            await cs.CoreV1().Pods(ns).DeleteCollectionAsync(new DeleteOptions { GracePeriodSeconds = 0 }, ct: ct).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        Console.WriteLine($"SchedulingBasic {nodes} nodes / {podCount} pods: SchedulingThroughput median average {Stats.Median(averages):0} pods/s, overall median {Stats.Median(overall):0} pods/s, process CPU median {Stats.Median(cpuPerPod):0.00} ms/pod (a CPU-bound ceiling of {Environment.ProcessorCount * 1000 / Stats.Median(cpuPerPod):0} pods/s on {Environment.ProcessorCount} cpus) over {runs} runs; load average {DensityBench.LoadAverage()}");
    }

    /// <summary>A ReplicaSet with no replicas whose selector the run's pods match (the owner the scheduler's defaults look up).</summary>
    private static async Task<V1ReplicaSet> OwnerAsync(Skiff.Client.Typed.Clientset cs, string ns, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { ["app"] = "sched" };
        return await cs.AppsV1().ReplicaSets(ns).CreateAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "sched" },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = Pod("template").Spec },
            },
        }, ct: ct).ConfigureAwait(false);
    }

    private static V1Pod Owned(V1Pod pod, V1ReplicaSet? owner)
    {
        if (owner is not null)
        {
            pod.Metadata.Labels = new Dictionary<string, string>(owner.Spec.Selector.MatchLabels);
            pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, Controller = true }];
        }

        return pod;
    }

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers = [DensityLoad.PauseContainer("c", "100m", "500Mi")],
        },
    };

    private static async Task ParallelAsync(int count, int workers, Func<int, Task> call)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await call(i).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Sums the scheduler's <c>scheduler_scheduling_algorithm_duration_seconds</c> observations.</summary>
    private sealed class AlgorithmTime : IDisposable
    {
        private readonly MeterListener _listener = new();
        private double _seconds;

        public AlgorithmTime()
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == "Skiff.Scheduler" && i.Name == "scheduler_scheduling_algorithm_duration_seconds")
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, v, _, _) =>
            {
                lock (_listener)
                {
                    _seconds += v;
                }
            });
            _listener.Start();
        }

        public double Seconds
        {
            get
            {
                lock (_listener)
                {
                    return _seconds;
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Counts pods seen bound per namespace and signals when a namespace reaches a count.</summary>
    private sealed class BoundCounter : IResourceEventHandler<V1Pod>
    {
        private readonly object _lock = new();
        private readonly Dictionary<string, HashSet<string>> _bound = [];
        private readonly List<(string Ns, int Count, TaskCompletionSource Done)> _waiters = [];

        public Task WaitAsync(string ns, int count)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _waiters.Add((ns, count, tcs));
                Check(ns);
            }

            return tcs.Task;
        }

        public void OnAdd(V1Pod obj, bool isInInitialList) => Seen(obj);

        public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Seen(newObj);

        public void OnDelete(V1Pod obj, bool isFinalStateUnknown)
        {
        }

        private void Seen(V1Pod pod)
        {
            if (string.IsNullOrEmpty(pod.Spec?.NodeName))
            {
                return;
            }

            lock (_lock)
            {
                var ns = pod.Metadata.NamespaceProperty;
                if (!_bound.TryGetValue(ns, out var set))
                {
                    _bound[ns] = set = [];
                }

                set.Add(pod.Metadata.Name);
                Check(ns);
            }
        }

        private void Check(string ns)
        {
            var c = _bound.GetValueOrDefault(ns)?.Count ?? 0;
            foreach (var w in _waiters.Where(w => w.Ns == ns && c >= w.Count).ToList())
            {
                _waiters.Remove(w);
                w.Done.TrySetResult();
            }
        }
    }
}
