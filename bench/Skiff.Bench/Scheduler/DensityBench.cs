using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Skiff.Controllers;
using Skiff.ApiServer.Security;
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
/// scheduled → Running) as p50/p90/p99, the time until all pods ran, the API server's mutating-call latency p99 per
/// verb and resource (the SLO is p99 ≤ 1 s), and the process's memory (server, controllers, scheduler and hollow nodes
/// together, RSS and GC heap after a full collection): in all, per hollow node (the set's own state; and registered,
/// with the server's Node and Lease and every cache of them) and per 10,000 pods.
/// Each hollow node writes as itself (<c>system:node:NAME</c> in <c>system:nodes</c>, a bearer token of the server's
/// token file over the set's shared connections, as kubemark's <c>known_tokens.csv</c>), so the Node authorizer and
/// NodeRestriction check every node's writes; <c>--shared-identity</c> makes all nodes write as the admin instead.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- density [--nodes 100] [--pods-per-node 30] [--deployments 10] [--shared-identity]</c>.
/// </summary>
public static class DensityBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 100);
        var perNode = BenchArgs.Int(args, "--pods-per-node", 30);
        var deployments = BenchArgs.Int(args, "--deployments", 10);
        var sharedIdentity = args.Contains("--shared-identity");
        var total = nodes * perNode;
        Console.WriteLine($"density bench: {nodes} hollow nodes ({(sharedIdentity ? "one shared admin identity" : "each system:node:NAME")}), {total} pods in {deployments} Deployments, in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus; load average {LoadAverage()}");
        var hollowOptions = new HollowNodeOptions { Count = nodes, NamePrefix = "density-" };
        var tokens = sharedIdentity ? new Dictionary<string, string>() : HollowNodeTokens.Generate(HollowNodeTokens.NodeNames(hollowOptions));
        var tokenFile = TokenFile.From(tokens.Select(t => KeyValuePair.Create(t.Value,
            new UserInfo(HollowNodeTokens.NodeUserPrefix + t.Key, "hollow:" + t.Key, [HollowNodeTokens.NodesGroup]))));
        await using var server = await BenchServer.StartAsync(["ServiceAccount", "Priority"], tokenFile, ct).ConfigureAwait(false);
        using var cs = server.Clientset();

        var m0 = MemorySample.Take();
        var sw = Stopwatch.StartNew();
        await using var hollow = new HollowNodeSet(server.Clientset(), hollowOptions with { NodeToken = sharedIdentity ? null : tokens.GetValueOrDefault });
        var m1 = MemorySample.Take();
        await hollow.StartAsync(ct).ConfigureAwait(false);
        Console.WriteLine($"  {nodes} hollow nodes registered in {sw.Elapsed.TotalSeconds:0.0} s; load average {LoadAverage()}");
        var m2 = MemorySample.Take();
        Console.WriteLine($"    memory per hollow node: the set's own state {m1.PerUnit(m0, nodes, 1, "node")}; registered (with the server's Node and Lease and the caches of them) {m2.PerUnit(m0, nodes, 1, "node")}");

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
        var m3 = MemorySample.Take();
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
        var mutating = await MutatingLatency.ScrapeAsync(cs.Rest, ct).ConfigureAwait(false);
        var worst = mutating.FirstOrDefault(s => s.Count >= 100);
        Console.WriteLine($"  API mutating calls (server histogram, series with ≥ 100 calls): worst {worst?.ToString() ?? "none"}; SLO p99 ≤ 1 s {(worst is null || worst.P99Seconds <= 1 ? "met" : "NOT met")}");
        foreach (var series in mutating.Where(s => s.Count >= 100).Take(6))
        {
            Console.WriteLine($"    {series}");
        }

        var m4 = MemorySample.Take();
        Console.WriteLine($"  process {m4} (server, controllers, scheduler and {nodes} hollow nodes with {total} pods); load average {LoadAverage()}");
        Console.WriteLine($"    memory per 10,000 pods (every copy: store, watch cache, informers, scheduler and hollow state): {m4.PerUnit(m3, total, 10_000, "10,000 pods")}");

        await stop.CancelAsync().ConfigureAwait(false);
        await schedulerRun.ConfigureAwait(false);
        await managerRun.ConfigureAwait(false);
    }

    /// <summary>The 1, 5 and 15 minute load averages (the machine is shared: print them with every number).</summary>
    internal static string LoadAverage()
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
