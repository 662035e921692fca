using System.Diagnostics;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Cache;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Bench.Controllers;

/// <summary>
/// The ReplicaSet controller at scale: a ReplicaSet of N replicas (default 1,000) on an in-process server (HTTPS,
/// memory store, no kubelet, so pods stay Pending), timed from its creation until the controller's own pod informer
/// has seen all N pods; then scaled to 0 until it has seen them all deleted. Reports pods created and deleted per
/// second, and process CPU per 1,000 pod events the controller saw — the process also hosts the API server, so the
/// same run creates and deletes N pods with a plain client (the same slow-start batches, no controller) and reports
/// the difference as the controller's share.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- replicaset [--replicas 1000] [--runs 3]</c>.
/// </summary>
public static class ReplicaSetBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var replicas = BenchArgs.Int(args, "--replicas", 1000);
        var runs = BenchArgs.Int(args, "--runs", 3);
        Console.WriteLine($"replicaset bench: {replicas} replicas, in-process server over HTTPS, no kubelet; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        await using var controllers = BenchControllerManager.Register(server, ["replicaset"]);
        var counter = new PodEventCounter();
        controllers.Manager.Informers.Informer<V1Pod>().AddEventHandler(counter);
        await controllers.StartAsync(ct).ConfigureAwait(false);

        var controller = new List<Sample>();
        var plain = new List<Sample>();
        for (var run = -1; run < runs; run++)
        {
            var c = await WithControllerAsync(cs, counter, replicas, $"bench-rs-{run + 1}", ct).ConfigureAwait(false);
            var p = await WithPlainClientAsync(cs, counter, replicas, $"bench-plain-{run + 1}", ct).ConfigureAwait(false);
            if (run >= 0)
            {
                controller.Add(c);
                plain.Add(p);
            }

            Console.WriteLine($"  run {run + 1}{(run < 0 ? " (warm-up)" : "")}: controller {c}; plain client {p}");
        }

        await controllers.StopAsync().ConfigureAwait(false);

        double Median(List<Sample> s, Func<Sample, double> f) => Stats.Median(s.Select(f).ToList());
        var cpuController = Median(controller, s => s.CpuMsPer1000Events);
        var cpuPlain = Median(plain, s => s.CpuMsPer1000Events);
        Console.WriteLine($"ReplicaSet of {replicas}: {Median(controller, s => s.CreatedPerSecond):0} pods created/s, {Median(controller, s => s.DeletedPerSecond):0} deleted/s "
            + $"(plain client: {Median(plain, s => s.CreatedPerSecond):0} created/s, {Median(plain, s => s.DeletedPerSecond):0} deleted/s)");
        Console.WriteLine($"process CPU per 1,000 pod events: {cpuController:0} ms with the controller, {cpuPlain:0} ms with a plain client; "
            + $"controller's share ≈ {cpuController - cpuPlain:0} ms per 1,000 pod events ({runs} runs, medians)");
    }

    private static async Task<Sample> WithControllerAsync(Clientset cs, PodEventCounter counter, int replicas, string ns, CancellationToken ct)
    {
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var labels = new Dictionary<string, string> { ["app"] = "bench" };
        var rs = new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "bench" },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = PodSpec() },
            },
        };
        return await MeasureAsync(counter, ns, replicas,
            () => cs.AppsV1().ReplicaSets(ns).CreateAsync(rs, ct: ct),
            () => cs.AppsV1().ReplicaSets(ns).PatchAsync("bench", Skiff.Client.Rest.PatchType.Merge, """{"spec":{"replicas":0}}""", ct: ct), ct).ConfigureAwait(false);
    }

    private static Task<Sample> WithPlainClientAsync(Clientset cs, PodEventCounter counter, int replicas, string ns, CancellationToken ct) =>
        MeasureAsync(counter, ns, replicas,
            async () =>
            {
                await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
                await BatchesAsync(replicas, _ => cs.CoreV1().Pods(ns).CreateAsync(new V1Pod
                {
                    Metadata = new V1ObjectMeta { GenerateName = "bench-", Labels = new Dictionary<string, string> { ["app"] = "bench" } },
                    Spec = PodSpec(),
                }, ct: ct)).ConfigureAwait(false);
            },
            async () =>
            {
                var pods = (await cs.CoreV1().Pods(ns).ListAsync(ct: ct).ConfigureAwait(false)).Items;
                await Task.WhenAll(pods.Select(p => cs.CoreV1().Pods(ns).DeleteAsync(p.Metadata.Name, ct: ct))).ConfigureAwait(false);
            }, ct);

    private static async Task<Sample> MeasureAsync(PodEventCounter counter, string ns, int replicas, Func<Task> create, Func<Task> delete, CancellationToken ct)
    {
        var process = Process.GetCurrentProcess();
        var eventsBefore = counter.Total;
        var cpuBefore = process.TotalProcessorTime;
        var created = counter.WaitAsync(ns, replicas, deleted: false);
        var sw = Stopwatch.StartNew();
        await create().ConfigureAwait(false);
        await created.WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
        var createSeconds = sw.Elapsed.TotalSeconds;
        var deleted = counter.WaitAsync(ns, replicas, deleted: true);
        sw.Restart();
        await delete().ConfigureAwait(false);
        await deleted.WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
        var deleteSeconds = sw.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var events = counter.Total - eventsBefore;
        return new Sample(replicas / createSeconds, replicas / deleteSeconds, cpuMs * 1000 / events, events);
    }

    /// <summary>Calls in slow-start batches (1, 2, 4, …), as the controller does.</summary>
    private static async Task BatchesAsync(int count, Func<int, Task> call)
    {
        var done = 0;
        for (var size = 1; done < count; size *= 2)
        {
            var n = Math.Min(size, count - done);
            await Task.WhenAll(Enumerable.Range(done, n).Select(call)).ConfigureAwait(false);
            done += n;
        }
    }

    private static V1PodSpec PodSpec() => new() { Containers = [new V1Container { Name = "c", Image = "nginx:1" }] };

    private sealed record Sample(double CreatedPerSecond, double DeletedPerSecond, double CpuMsPer1000Events, long Events)
    {
        public override string ToString() =>
            $"{CreatedPerSecond:0} created/s, {DeletedPerSecond:0} deleted/s, {CpuMsPer1000Events:0} ms CPU/1,000 pod events ({Events} events)";
    }

    /// <summary>Counts the pod events an informer delivers, per namespace, and signals when a namespace reaches a count.</summary>
    private sealed class PodEventCounter : IResourceEventHandler<V1Pod>
    {
        private readonly object _lock = new();
        private readonly Dictionary<string, (int Added, int Deleted)> _perNamespace = [];
        private readonly List<(string Ns, int Count, bool Deleted, TaskCompletionSource Done)> _waiters = [];
        private long _total;

        public long Total => Interlocked.Read(ref _total);

        public Task WaitAsync(string ns, int count, bool deleted)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _waiters.Add((ns, count, deleted, tcs));
                Check(ns);
            }

            return tcs.Task;
        }

        public void OnAdd(V1Pod obj, bool isInInitialList) => Count(obj, added: 1, deleted: 0);

        public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Count(newObj, 0, 0);

        public void OnDelete(V1Pod obj, bool isFinalStateUnknown) => Count(obj, 0, 1);

        private void Count(V1Pod pod, int added, int deleted)
        {
            Interlocked.Increment(ref _total);
            lock (_lock)
            {
                var ns = pod.Metadata.NamespaceProperty;
                var c = _perNamespace.GetValueOrDefault(ns);
                _perNamespace[ns] = (c.Added + added, c.Deleted + deleted);
                Check(ns);
            }
        }

        private void Check(string ns)
        {
            var c = _perNamespace.GetValueOrDefault(ns);
            foreach (var w in _waiters.Where(w => w.Ns == ns && (w.Deleted ? c.Deleted : c.Added) >= w.Count).ToList())
            {
                _waiters.Remove(w);
                w.Done.TrySetResult();
            }
        }
    }
}
