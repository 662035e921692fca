using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
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
/// The density test of the issue, in one process: an API server (HTTPS, memory store; ServiceAccount and Priority
/// admission off), N hollow nodes (<see cref="HollowNodeSet"/>), the scheduler, and the deployment and replicaset
/// controllers. Pods are recorded on a watch (the scheduler's pod informer, <see cref="DensityTimeline"/>) when first
/// seen, first seen bound and first seen Running: clusterloader2's PodStartupLatency, whose SLO (p50, p90 and p99 of
/// created → Running seen on a watch ≤ 5 s) applies to <b>latency pods</b>.
/// <para>
/// The default mode is upstream's method (clusterloader2 testing/density, with testing/load's time-limited saturation):
/// <b>saturation</b> — N × P pods in Deployments of 250/30/5 replicas, each created at a random moment within
/// <c>pods / --saturation-qps</c> seconds (<see cref="DensityLoad"/>), waited for until all Running, with their own
/// startup percentiles and achieved rates printed; then <b>latency</b> — <c>--latency-pods</c> single-replica
/// Deployments (upstream: max(500, nodes), 100m CPU / 350M memory each) created at <c>--latency-qps</c> (upstream: 5) on
/// the saturated cluster; the SLO verdict is on those. <c>--burst</c> is the old mode (not upstream's): D Deployments
/// holding all N × P pods created at once, so the latency is mostly the queueing of one burst.
/// </para>
/// Both modes report the API server's mutating-call latency p99 per verb and resource (the SLO is p99 ≤ 1 s) and the
/// process's memory (server, controllers, scheduler and hollow nodes together, RSS and GC heap after a full
/// collection): in all, per hollow node (the set's own state; and registered, with the server's Node and Lease and
/// every cache of them) and per 10,000 pods; a progress line every 15 s gives RSS against pods Running (the memory
/// curve). Each hollow node writes as itself (<c>system:node:NAME</c> in <c>system:nodes</c>, a bearer token of the
/// server's token file over the set's shared connections, as kubemark's <c>known_tokens.csv</c>), so the Node
/// authorizer and NodeRestriction check every node's writes; <c>--shared-identity</c> makes all nodes write as the admin.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- density [--nodes 100] [--pods-per-node 30]
/// [--saturation-qps 20] [--latency-pods max(500,nodes)] [--latency-qps 5] [--shared-identity]
/// [--burst [--deployments 10]]</c>.
/// </summary>
public static class DensityBench
{
    private const string Ns = "density";

    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 100);
        var perNode = BenchArgs.Int(args, "--pods-per-node", 30);
        var burst = args.Contains("--burst");
        var deployments = BenchArgs.Int(args, "--deployments", 10);
        var saturationQps = BenchArgs.Int(args, "--saturation-qps", 20);
        var latencyPods = burst ? 0 : BenchArgs.Int(args, "--latency-pods", Math.Max(500, nodes));
        var latencyQps = BenchArgs.Int(args, "--latency-qps", 5);
        var sharedIdentity = args.Contains("--shared-identity");
        var total = nodes * perNode;
        var mode = burst
            ? $"burst mode (not upstream's): {total} pods in {deployments} Deployments created at once"
            : $"clusterloader2 mode: {total} saturation pods asked for at {saturationQps} pods/s, then {latencyPods} latency pods at {latencyQps}/s";
        Console.WriteLine($"density bench: {nodes} hollow nodes ({(sharedIdentity ? "one shared admin identity" : "each system:node:NAME")}), {mode}; in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus; load average {LoadAverage()}");
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
        var timeline = new DensityTimeline(Ns);
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

        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } }, ct: ct).ConfigureAwait(false);
        var m3 = MemorySample.Take();
        var progress = ProgressAsync(timeline, stop.Token);
        Task Create(PlannedDeployment d, string group, string cpu, string memory, CancellationToken token) =>
            cs.AppsV1().Deployments(Ns).CreateAsync(DensityLoad.Deployment(d.Name, d.Replicas, group, cpu, memory), ct: token);

        var ok = true;
        if (burst)
        {
            var plan = Enumerable.Range(0, deployments).Select(d => new PlannedDeployment($"density-{d}", (total / deployments) + (d < total % deployments ? 1 : 0), 0)).ToList();
            await DensityLoad.CreateAsync(plan, (d, token) => Create(d, "burst", "10m", "10Mi", token), ct).ConfigureAwait(false);
            ok = await PhaseAsync(timeline, "burst", total, TimeSpan.FromMinutes(30), 5000, ct).ConfigureAwait(false);
        }
        else
        {
            // Upstream: saturation pods get threshold pods / DENSITY_TEST_THROUGHPUT (20) + 180 s; the hard timeout is at least 20 min.
            var plan = DensityLoad.Saturation(total, saturationQps);
            var seconds = await DensityLoad.CreateAsync(plan, (d, token) => Create(d, "saturation", "1m", "10M", token), ct).ConfigureAwait(false);
            Console.WriteLine($"  saturation: {plan.Count} Deployments ({total} pods) created in {seconds:0.0} s: {total / seconds:0.0} pods/s asked for (target {saturationQps}); load average {LoadAverage()}");
            ok = await PhaseAsync(timeline, "saturation", total, TimeSpan.FromSeconds(Math.Max((total / 20.0) + 180, 1200)), (total / 20.0 * 1000) + 180_000, ct).ConfigureAwait(false);
            if (ok && latencyPods > 0)
            {
                var latency = DensityLoad.Latency(latencyPods, latencyQps);
                var latencySeconds = await DensityLoad.CreateAsync(latency, (d, token) => Create(d, "latency", "100m", "350M", token), ct).ConfigureAwait(false);
                Console.WriteLine($"  latency: {latencyPods} single-pod Deployments created in {latencySeconds:0.0} s ({latencyPods / latencySeconds:0.00}/s, target {latencyQps}); load average {LoadAverage()}");
                ok = await PhaseAsync(timeline, "latency", latencyPods, TimeSpan.FromMinutes(15), 5000, ct).ConfigureAwait(false);
            }
        }

        var mutating = await MutatingLatency.ScrapeAsync(cs.Rest, ct).ConfigureAwait(false);
        var worst = mutating.FirstOrDefault(s => s.Count >= 100);
        Console.WriteLine($"  API mutating calls (server histogram over the whole run, series with ≥ 100 calls): worst {worst?.ToString() ?? "none"}; SLO p99 ≤ 1 s {(worst is null || worst.P99Seconds <= 1 ? "met" : "NOT met")}");
        foreach (var series in mutating.Where(s => s.Count >= 100).Take(6))
        {
            Console.WriteLine($"    {series}");
        }

        var m4 = MemorySample.Take();
        var pods = total + latencyPods;
        Console.WriteLine($"  process {m4} (server, controllers, scheduler and {nodes} hollow nodes with {pods} pods); load average {LoadAverage()}");
        Console.WriteLine($"    memory per 10,000 pods (every copy: store, watch cache, informers, scheduler and hollow state): {m4.PerUnit(m3, pods, 10_000, "10,000 pods")}");
        Console.WriteLine($"    memory per hollow node with its {(double)pods / nodes:0.#} pods (all of the process's growth since before the nodes): {m4.PerUnit(m0, nodes, 1, "node")}");
        if (!ok)
        {
            Console.WriteLine("  NOT all pods ran within the timeout: the numbers above are over the pods that did");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        await schedulerRun.ConfigureAwait(false);
        await managerRun.ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="count"/> pods of the group run (or the timeout), then prints its rates and latencies against <paramref name="sloMs"/>.</summary>
    private static async Task<bool> PhaseAsync(DensityTimeline timeline, string group, int count, TimeSpan timeout, double sloMs, CancellationToken ct)
    {
        var ok = true;
        try
        {
            await timeline.RunningAsync(group, count).WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ok = false;
        }

        var l = timeline.Latencies(group);
        var created = Math.Max(l.LastCreated - l.FirstCreated, 1) / 1000;
        var ran = Math.Max(l.LastRunning - l.FirstCreated, 1) / 1000;
        var (seen, running) = timeline.Counts(group);
        Console.WriteLine($"  {group} pods: {running} of {count} Running{(ok ? "" : $" at the {timeout.TotalSeconds:0} s timeout")}; {seen} seen created over {created:0.0} s ({seen / created:0.0} pods/s created), Running {ran:0.0} s after the first was seen ({running / ran:0.0} pods/s); load average {LoadAverage()}");
        var met = Stats.Percentile(l.Startup, 0.5) <= sloMs && Stats.Percentile(l.Startup, 0.9) <= sloMs && Stats.Percentile(l.Startup, 0.99) <= sloMs;
        Console.WriteLine($"    pod startup latency (created → Running, seen on a watch): {Format(l.Startup)}; threshold {sloMs / 1000:0.#} s {(met && ok ? "met" : "NOT met")}");
        Console.WriteLine($"      created → scheduled: {Format(l.ToScheduled)}");
        Console.WriteLine($"      scheduled → Running: {Format(l.ToRunning)}");
        return ok;
    }

    /// <summary>Every 15 s until cancelled: pods seen and Running per group, and the RSS (no forced collection).</summary>
    private static async Task ProgressAsync(DensityTimeline timeline, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                using var process = Process.GetCurrentProcess();
                var groups = string.Join(", ", new[] { "burst", "saturation", "latency" }.Select(g => (g, c: timeline.Counts(g))).Where(x => x.c.Created > 0).Select(x => $"{x.g} {x.c.Running}/{x.c.Created} Running"));
                Console.WriteLine($"    [{timeline.Now / 1000:0} s] {groups}; RSS {process.WorkingSet64 / 1048576.0:0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:0} MB; load average {LoadAverage()}");
            }
        }
        catch (OperationCanceledException)
        {
        }
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
}
