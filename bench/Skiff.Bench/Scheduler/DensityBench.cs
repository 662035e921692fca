using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Skiff.Controllers;
using Skiff.Kubelet.Hollow;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;

namespace Skiff.Bench.Scheduler;

/// <summary>
/// The density test of the issue (upstream's density / clusterloader2 pod-startup-latency in spirit), in one process:
/// an API server (HTTPS, memory store; ServiceAccount and Priority admission off), N hollow nodes
/// (<see cref="HollowNodeSet"/>), the scheduler, and the deployment and replicaset controllers. It creates D Deployments
/// holding N × P pods in all (default 100 nodes × 30 pods/node, upstream's density load, in 10 Deployments) and records
/// on a watch (the scheduler's pod informer) when each pod is first seen, first seen bound and first seen Running.
/// Reports the pod startup latency (created → Running, the SLO is p99 ≤ 5 s) and its two parts (created → scheduled,
/// scheduled → Running) as p50/p90/p99, the time until all pods ran, and the process's RSS and GC heap at the end
/// (server, controllers, scheduler and hollow nodes together).
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- density [--nodes 100] [--pods-per-node 30] [--deployments 10]</c>.
/// </summary>
public static class DensityBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 100);
        var perNode = BenchArgs.Int(args, "--pods-per-node", 30);
        var deployments = BenchArgs.Int(args, "--deployments", 10);
        var total = nodes * perNode;
        Console.WriteLine($"density bench: {nodes} hollow nodes, {total} pods in {deployments} Deployments, in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(["ServiceAccount", "Priority"], ct).ConfigureAwait(false);
        using var cs = server.Clientset();

        var sw = Stopwatch.StartNew();
        await using var hollow = new HollowNodeSet(server.Clientset(), new HollowNodeOptions { Count = nodes, NamePrefix = "density-" });
        await hollow.StartAsync(ct).ConfigureAwait(false);
        Console.WriteLine($"  {nodes} hollow nodes registered in {sw.Elapsed.TotalSeconds:0.0} s");

        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(server.KubeconfigPath)) with { Qps = 0 };
        using var scheduler = new KubeScheduler(new SchedulerOptions { Client = config, LeaderElect = false });
        var timeline = new PodTimeline(total);
        scheduler.Manager.Informers.Informer<V1Pod>().AddEventHandler(timeline);
        using var managerClients = server.Clientset();
        var manager = new Manager(managerClients);
        using var dynamic = new DynamicClient(managerClients.Rest);
        var context = new ControllerContext { Manager = manager, Dynamic = dynamic, Discovery = new DiscoveryClient(managerClients.Rest) };
        foreach (var c in BuiltInControllers.Select(["deployment", "replicaset"]))
        {
            c.Register(context);
        }

        using var stop = new CancellationTokenSource();
        var schedulerRun = scheduler.RunAsync(stop.Token);
        var managerRun = manager.RunAsync(stop.Token);
        await scheduler.Manager.Elected.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        await manager.Elected.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);

        const string Ns = "density";
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } }, ct: ct).ConfigureAwait(false);
        sw.Restart();
        for (var d = 0; d < deployments; d++)
        {
            var replicas = (total / deployments) + (d < total % deployments ? 1 : 0);
            await cs.AppsV1().Deployments(Ns).CreateAsync(Deployment($"density-{d}", replicas), ct: ct).ConfigureAwait(false);
        }

        await timeline.AllRunning.WaitAsync(TimeSpan.FromMinutes(30), ct).ConfigureAwait(false);
        var elapsed = sw.Elapsed;
        var (toScheduled, toRunning, startup) = timeline.Latencies();
        Console.WriteLine($"  {total} pods Running {elapsed.TotalSeconds:0.0} s after the first Deployment was created ({total / elapsed.TotalSeconds:0} pods/s)");
        Console.WriteLine($"  pod startup latency (created → Running, seen on a watch): {Format(startup)}; SLO p99 ≤ 5 s {(Stats.Percentile(startup, 0.99) <= 5000 ? "met" : "NOT met")}");
        Console.WriteLine($"    created → scheduled: {Format(toScheduled)}");
        Console.WriteLine($"    scheduled → Running: {Format(toRunning)}");
        var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"  process RSS {process.WorkingSet64 / 1048576.0:0} MB, GC heap {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:0} MB (server, controllers, scheduler and {nodes} hollow nodes with {total} pods)");

        await stop.CancelAsync().ConfigureAwait(false);
        await schedulerRun.ConfigureAwait(false);
        await managerRun.ConfigureAwait(false);
    }

    private static string Format(IReadOnlyList<double> ms) =>
        $"p50 {Stats.Percentile(ms, 0.5):0} ms, p90 {Stats.Percentile(ms, 0.9):0} ms, p99 {Stats.Percentile(ms, 0.99):0} ms (n={ms.Count})";

    private static V1Deployment Deployment(string name, int replicas)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "pause",
                                Image = "registry.k8s.io/pause:3.10",
                                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("10Mi") } },
                            },
                        ],
                    },
                },
            },
        };
    }

    /// <summary>When each pod was first seen, first seen bound and first seen Running (monotonic clock, ms).</summary>
    private sealed class PodTimeline(int expected) : IResourceEventHandler<V1Pod>
    {
        private readonly object _lock = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Dictionary<string, (double Created, double? Scheduled, double? Running)> _pods = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _allRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;

        public Task AllRunning => _allRunning.Task;

        public (List<double> ToScheduled, List<double> ToRunning, List<double> Startup) Latencies()
        {
            lock (_lock)
            {
                var done = _pods.Values.Where(p => p.Scheduled is not null && p.Running is not null).ToList();
                return ([.. done.Select(p => p.Scheduled!.Value - p.Created)], [.. done.Select(p => p.Running!.Value - p.Scheduled!.Value)], [.. done.Select(p => p.Running!.Value - p.Created)]);
            }
        }

        public void OnAdd(V1Pod obj, bool isInInitialList) => Seen(obj);

        public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Seen(newObj);

        public void OnDelete(V1Pod obj, bool isFinalStateUnknown)
        {
        }

        private void Seen(V1Pod pod)
        {
            if (pod.Metadata.NamespaceProperty != "density")
            {
                return;
            }

            var now = _clock.Elapsed.TotalMilliseconds;
            lock (_lock)
            {
                var t = _pods.TryGetValue(pod.Metadata.Uid, out var existing) ? existing : (now, null, null);
                if (t.Scheduled is null && !string.IsNullOrEmpty(pod.Spec?.NodeName))
                {
                    t.Scheduled = now;
                }

                if (t.Running is null && pod.Status?.Phase == "Running")
                {
                    t.Running = now;
                    t.Scheduled ??= now;
                    if (++_running >= expected)
                    {
                        _allRunning.TrySetResult();
                    }
                }

                _pods[pod.Metadata.Uid] = t;
            }
        }
    }
}
