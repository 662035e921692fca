using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Kubelet.Hollow;

namespace Skiff.Bench.Kubelet;

/// <summary>
/// Hollow nodes at scale against an in-process API server (HTTPS, memory store): for each N (default 1,000 and 5,000)
/// it starts a <see cref="HollowNodeSet"/> of N nodes and reports
/// <list type="bullet">
/// <item>the time to register all (Nodes and Leases created, informers synced);</item>
/// <item>memory per node: the GC heap and working-set growth over the run divided by N (this includes the API server's
/// copies of N Nodes and N Leases in its store and watch cache), and the hollow set's own share — the heap freed when it
/// is disposed while the server keeps the objects;</item>
/// <item>lease renewals per second and process CPU per minute over a window of steady state (the process also serves
/// the renewals, so this is the cost of the whole loop: client, wire and server);</item>
/// <item>with <c>--pods-per-node P</c>, the time until N×P pods bound at creation are all Running and Ready.</item>
/// </list>
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- hollow [--nodes 1000,5000] [--window 30] [--pods-per-node 0]</c>.
/// </summary>
public static class HollowNodeBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var counts = (Value(args, "--nodes") ?? "1000,5000").Split(',').Select(int.Parse).ToList();
        var window = TimeSpan.FromSeconds(BenchArgs.Int(args, "--window", 30));
        var podsPerNode = BenchArgs.Int(args, "--pods-per-node", 0);
        Console.WriteLine($"hollow bench: nodes {string.Join(',', counts)}, steady-state window {window.TotalSeconds:0} s, {podsPerNode} pods/node; in-process server over HTTPS, memory store; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        foreach (var n in counts)
        {
            await RunOneAsync(n, window, podsPerNode, ct).ConfigureAwait(false);
        }
    }

    private static async Task RunOneAsync(int count, TimeSpan window, int podsPerNode, CancellationToken ct)
    {
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        await cs.CoreV1().Namespaces().ListAsync(ct: ct).ConfigureAwait(false);
        var process = Process.GetCurrentProcess();
        var heap0 = Heap();
        process.Refresh();
        var ws0 = process.WorkingSet64;

        var set = new HollowNodeSet(server.Clientset(), new HollowNodeOptions { Count = count, NamePrefix = "bench-" });
        var sw = Stopwatch.StartNew();
        await set.StartAsync(ct).ConfigureAwait(false);
        var register = sw.Elapsed;

        var renewals0 = set.LeaseRenewals;
        var cpu0 = process.TotalProcessorTime;
        sw.Restart();
        await Task.Delay(window, ct).ConfigureAwait(false); // the measurement window itself, not synchronisation
        var cpu = process.TotalProcessorTime - cpu0;
        var elapsed = sw.Elapsed;
        var renewals = set.LeaseRenewals - renewals0;

        var pass = set.LastLeasePass;
        var heap1 = Heap();
        process.Refresh();
        var ws1 = process.WorkingSet64;
        TimeSpan? podsRunning = null;
        var heapPods = heap1;
        if (podsPerNode > 0)
        {
            podsRunning = await PodsAsync(cs, set, count, podsPerNode, ct).ConfigureAwait(false);
            heapPods = Heap();
        }

        await set.DisposeAsync().ConfigureAwait(false);
        var heap2 = Heap();

        Console.WriteLine($"{count} hollow nodes: registered in {register.TotalSeconds:0.0} s ({count / register.TotalSeconds:0} nodes/s)");
        Console.WriteLine($"  memory per node: GC heap +{(heap1 - heap0) / 1024.0 / count:0.0} KB, working set +{(ws1 - ws0) / 1024.0 / count:0.0} KB (server's Node+Lease copies included); "
            + $"hollow set's own share {(heapPods - heap2) / 1024.0 / count:0.00} KB/node{(podsPerNode > 0 ? $" (with its {podsPerNode} pods/node in the pod informer's cache)" : "")}");
        Console.WriteLine($"  steady state: {renewals} lease renewals in {elapsed.TotalSeconds:0} s ({renewals / (double)count:0.0} passes over all nodes, one per 10 s), process CPU {cpu.TotalSeconds / elapsed.TotalMinutes:0.0} CPU-s per minute "
            + $"({cpu.TotalMilliseconds / Math.Max(1, renewals):0.00} ms per renewal incl. server); one pass over all nodes takes {pass.TotalSeconds:0.0} s of the 10 s interval");
        if (podsRunning is { } pr)
        {
            Console.WriteLine($"  {count * podsPerNode} pods bound at creation all Running+Ready after {pr.TotalSeconds:0.0} s ({count * podsPerNode / pr.TotalSeconds:0} pods/s); {set.PodStatusPatches} status patches");
        }
    }

    private static async Task<TimeSpan> PodsAsync(Skiff.Client.Typed.Clientset cs, HollowNodeSet set, int count, int perNode, CancellationToken ct)
    {
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } }, ct: ct).ConfigureAwait(false);
        var total = count * perNode;
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, c) =>
            await cs.CoreV1().Pods("bench").CreateAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"p-{i}" },
                Spec = new V1PodSpec { NodeName = set.Nodes[i % count].Name, Containers = [new V1Container { Name = "c", Image = "nginx" }] },
            }, ct: c).ConfigureAwait(false)).ConfigureAwait(false);

        // Wait on a watch until every pod is Ready.
        var ready = new HashSet<string>();
        var list = await cs.CoreV1().Pods("bench").ListAsync(ct: ct).ConfigureAwait(false);
        foreach (var p in list.Items.Where(IsReady))
        {
            ready.Add(p.Metadata.Name);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(10));
        var rv = list.Metadata.ResourceVersion;
        while (ready.Count < total)
        {
            await foreach (var e in cs.CoreV1().Pods("bench").WatchAsync(new Skiff.Client.Options.ListOptions { ResourceVersion = rv }, deadline.Token).ConfigureAwait(false))
            {
                rv = e.Object.Metadata?.ResourceVersion ?? rv;
                if (e.Object.Metadata?.Name is { } name && IsReady(e.Object))
                {
                    ready.Add(name);
                }

                if (ready.Count == total)
                {
                    break;
                }
            }
        }

        return sw.Elapsed;

        static bool IsReady(V1Pod p) => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
