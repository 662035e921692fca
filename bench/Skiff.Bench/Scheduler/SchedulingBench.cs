using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;

namespace Skiff.Bench.Scheduler;

/// <summary>
/// Upstream scheduler_perf's SchedulingBasic, in process: an API server (HTTPS, memory store) with N Node objects
/// (default 500, 4 cpu / 32 Gi / 110 pods each), the scheduler with the default profile (unthrottled client, no leader
/// election), then per run M pods (default 2,000; one container, 100m cpu and 128 Mi requested) created by 32
/// concurrent writers into a fresh namespace, timed from the first create until the scheduler's pod informer has seen
/// every pod bound. Prints pods scheduled per second per run and the median.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- scheduling [--nodes 500] [--pods 2000] [--runs 3]</c>.
/// </summary>
public static class SchedulingBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 500);
        var podCount = BenchArgs.Int(args, "--pods", 2000);
        var runs = BenchArgs.Int(args, "--runs", 3);
        Console.WriteLine($"scheduling bench (SchedulingBasic): {nodes} nodes, {podCount} pods per run, in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        var alloc = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("32Gi"), ["pods"] = new("110") };
        await ParallelAsync(nodes, 32, i => cs.CoreV1().Nodes().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = $"node-{i}", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = $"node-{i}" } },
            Status = new V1NodeStatus { Allocatable = alloc, Capacity = alloc, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        }, ct: ct)).ConfigureAwait(false);

        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(server.KubeconfigPath)) with { Qps = 0 };
        using var scheduler = new KubeScheduler(new SchedulerOptions { Client = config, LeaderElect = false });
        var bound = new BoundCounter();
        scheduler.Manager.Informers.Informer<V1Pod>().AddEventHandler(bound);
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);
        await scheduler.Manager.Elected.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);

        var rates = new List<double>();
        for (var run = -1; run < runs; run++)
        {
            var ns = $"sched-bench-{run + 1}";
            var pods = run < 0 ? Math.Min(podCount, 200) : podCount;
            await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
            var done = bound.WaitAsync(ns, pods);
            var sw = Stopwatch.StartNew();
            await ParallelAsync(pods, 32, i => cs.CoreV1().Pods(ns).CreateAsync(Pod($"pod-{i}"), ct: ct)).ConfigureAwait(false);
            var created = sw.Elapsed.TotalSeconds;
            await done.WaitAsync(TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
            var rate = pods / sw.Elapsed.TotalSeconds;
            if (run >= 0)
            {
                rates.Add(rate);
            }

            Console.WriteLine($"  run {run + 1}{(run < 0 ? " (warm-up)" : "")}: {pods} pods bound in {sw.Elapsed.TotalSeconds:0.00} s ({rate:0} pods/s; creating them took {created:0.00} s)");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        Console.WriteLine($"SchedulingBasic {nodes} nodes / {podCount} pods: median {Stats.Median(rates):0} pods/s over {runs} runs");
    }

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "c",
                    Image = "registry.k8s.io/pause:3.10",
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") } },
                },
            ],
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
