using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Config;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers;

namespace Skiff.Bench.Controllers;

/// <summary>
/// Issue 9's namespace benchmark: N namespaces × M objects (configmaps, secrets, serviceaccounts, unscheduled pods and headless
/// services, M/5 each), all deleted at once as <c>kubectl delete ns</c> does (Background); the time from the deletes
/// until each namespace is gone, seen on a watch. The controllers run as <c>skiff controller-manager</c> would run them
/// (the whole catalogue, one manager) against an in-process API server.
/// </summary>
internal static class NamespaceDeletionBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var namespaces = BenchArgs.Int(args, "--namespaces", 100);
        var objects = BenchArgs.Int(args, "--objects", 50);
        var runs = BenchArgs.Int(args, "--runs", 3);

        await using var server = await BenchServer.StartAsync(ct);
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(server.KubeconfigPath)) with { Qps = 0 };
        using var rest = new RestClient(config);
        using var clientset = new Clientset(rest);
        using var dynamic = new DynamicClient(rest);
        var manager = new Manager(clientset);
        var context = new ControllerContext { Manager = manager, Dynamic = dynamic, Discovery = new DiscoveryClient(rest), RootCaBundle = server.CaBundle };
        var controllers = BuiltInControllers.Select(["*"]);
        foreach (var c in controllers)
        {
            c.Register(context);
        }

        using var stop = new CancellationTokenSource();
        var running = manager.RunAsync(stop.Token);
        await manager.Elected.WaitAsync(ct);
        Console.WriteLine($"controllers: {string.Join(", ", controllers.Select(c => c.Name))}");
        Console.WriteLine($"{namespaces} namespaces × {objects} objects, {runs} runs");
        Console.WriteLine("| run | create s | median gone s | p90 gone s | all gone s |");
        Console.WriteLine("|---|---|---|---|---|");
        var all = new List<double>();
        var medians = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var names = Enumerable.Range(0, namespaces).Select(i => $"bench-{run}-{i}").ToList();
            var created = Stopwatch.StartNew();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (ns, token) =>
            {
                await clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = ns } }, ct: token);
                for (var i = 0; i < objects; i++)
                {
                    await CreateAsync(clientset, ns, i, token);
                }
            });
            created.Stop();

            var gone = await TimeDeletionAsync(clientset, names, ct);
            var sorted = gone.Order().ToList();
            medians.Add(Stats.Median(sorted));
            all.Add(sorted[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {run} | {created.Elapsed.TotalSeconds:F1} | {Stats.Median(sorted):F2} | {Stats.Percentile(sorted, 0.9):F2} | {sorted[^1]:F2} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median over runs: namespace gone {Stats.Median(medians):F2} s, all {namespaces} gone {Stats.Median(all):F2} s (goal ≤ 30 s; includes upstream's 5 s namespaceDeletionGracePeriod)"));
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Task CreateAsync(Clientset c, string ns, int i, CancellationToken ct)
    {
        var meta = new V1ObjectMeta { Name = $"o{i}" };
        return (i % 5) switch
        {
            0 => c.CoreV1().ConfigMaps(ns).CreateAsync(new V1ConfigMap { Metadata = meta, Data = new Dictionary<string, string> { ["k"] = "v" } }, ct: ct),
            1 => c.CoreV1().Secrets(ns).CreateAsync(new V1Secret { Metadata = meta, StringData = new Dictionary<string, string> { ["k"] = "v" } }, ct: ct),
            2 => c.CoreV1().ServiceAccounts(ns).CreateAsync(new V1ServiceAccount { Metadata = meta }, ct: ct),
            3 => c.CoreV1().Pods(ns).CreateAsync(new V1Pod { Metadata = meta, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] } }, ct: ct),
            _ => c.CoreV1().Services(ns).CreateAsync(new V1Service
            {
                Metadata = meta,
                Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Port = 80 }], Selector = new Dictionary<string, string> { ["app"] = "x" } },
            }, ct: ct),
        };
    }

    /// <summary>Deletes every namespace of <paramref name="names"/> and returns, per namespace, the seconds until a watch saw it go.</summary>
    private static async Task<List<double>> TimeDeletionAsync(Clientset c, List<string> names, CancellationToken ct)
    {
        var client = c.CoreV1().Namespaces();
        var pending = names.ToHashSet();
        var list = await client.ListAsync(ct: ct);
        var rv = list.Metadata.ResourceVersion;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (ns, token) =>
            await client.DeleteAsync(ns, new DeleteOptions { PropagationPolicy = "Background" }, token));
        var gone = new List<double>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(5));
        while (pending.Count > 0)
        {
            await foreach (var e in client.WatchAsync(new ListOptions { ResourceVersion = rv }, deadline.Token))
            {
                rv = e.Object.Metadata.ResourceVersion;
                if (e.Type == WatchEventType.Deleted && pending.Remove(e.Object.Metadata.Name))
                {
                    gone.Add(clock.Elapsed.TotalSeconds);
                    if (pending.Count == 0)
                    {
                        break;
                    }
                }
            }
        }

        return gone;
    }
}
