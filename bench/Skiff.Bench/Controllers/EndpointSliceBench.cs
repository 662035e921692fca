using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Bench.Client;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Bench.Controllers;

/// <summary>
/// The EndpointSlice controller at scale: a Service selecting N pods (default 1,000, all ready, bound to one node) on an
/// in-process server (HTTPS, memory store, no kubelet: the bench writes pod status itself); each run flips the
/// readiness of K of them (default 100, alternately to not-ready and back) with K parallel status patches and times
/// from the first patch until the bench's own EndpointSlice informer shows exactly the expected ready set.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- endpointslices [--pods 1000] [--flip 100] [--runs 3]</c>.
/// </summary>
public static class EndpointSliceBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var pods = BenchArgs.Int(args, "--pods", 1000);
        var flip = BenchArgs.Int(args, "--flip", 100);
        var runs = BenchArgs.Int(args, "--runs", 3);
        Console.WriteLine($"endpointslices bench: {pods} pods, {flip} flip readiness per run; in-process server over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        using var cs = server.Clientset();
        await using var controllers = BenchControllerManager.Register(server, ["endpointslice"]);
        await controllers.StartAsync(ct).ConfigureAwait(false);

        const string ns = "bench-eps";
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        await cs.CoreV1().Nodes().CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "bench-node" } }, ct: ct).ConfigureAwait(false);
        var podClient = cs.CoreV1().Pods(ns);
        var ready = new bool[pods];
        await Parallel.ForEachAsync(Enumerable.Range(0, pods), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, c) =>
        {
            await podClient.CreateAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"p{i}", Labels = new Dictionary<string, string> { ["app"] = "bench" } },
                Spec = new V1PodSpec { NodeName = "bench-node", Containers = [new V1Container { Name = "c", Image = "nginx:1", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] }] },
            }, ct: c).ConfigureAwait(false);
            await podClient.PatchAsync($"p{i}", PatchType.Merge, Status(i, true), subresource: "status", ct: c).ConfigureAwait(false);
            ready[i] = true;
        }).ConfigureAwait(false);

        var slices = new SharedIndexInformer<V1EndpointSlice>(cs.Resource<V1EndpointSlice, V1EndpointSliceList>(ns), new SharedInformerOptions { Name = "bench-slices" });
        var watcher = new SliceWatcher(slices);
        var informer = slices.RunAsync(controllers.Stopping);
        await slices.WaitForCacheSyncAsync(ct).ConfigureAwait(false);

        var sw = Stopwatch.StartNew();
        var settled = watcher.WaitFor(ready);
        await cs.CoreV1().Services(ns).CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "bench" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "bench" }, Ports = [new V1ServicePort { Name = "web", Port = 80, TargetPort = "http" }] },
        }, ct: ct).ConfigureAwait(false);
        await settled.WaitAsync(TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
        Console.WriteLine($"  initial: {pods} endpoints in {slices.Lister.List().Count} slices after {sw.Elapsed.TotalMilliseconds:0} ms");

        var samples = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var target = !ready[0];
            var picked = Enumerable.Range(0, flip).Select(k => k * (pods / flip)).ToList();
            foreach (var i in picked)
            {
                ready[i] = target;
            }

            settled = watcher.WaitFor(ready);
            sw.Restart();
            await Task.WhenAll(picked.Select(i => podClient.PatchAsync($"p{i}", PatchType.Merge, Status(i, target), subresource: "status", ct: ct))).ConfigureAwait(false);
            var patched = sw.Elapsed.TotalMilliseconds;
            await settled.WaitAsync(TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
            var total = sw.Elapsed.TotalMilliseconds;
            samples.Add(total);
            Console.WriteLine($"  run {run + 1}: {flip} pods → {(target ? "ready" : "not ready")}: slices right after {total:0} ms (patches done at {patched:0} ms); {slices.Lister.List().Count} slices");
        }

        Console.WriteLine($"EndpointSlices of a {pods}-pod Service right {Stats.Median(samples):0} ms after {flip} pods flip readiness (median of {runs})");
        await controllers.StopAsync().ConfigureAwait(false);
        try
        {
            await informer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static JsonObject Status(int i, bool ready)
    {
        var s = ready ? "True" : "False";
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var ip = $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256 + 1}";
        return new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["podIP"] = ip,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }),
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = s, ["lastTransitionTime"] = now }),
            },
        };
    }

    /// <summary>Signals once the cached slices hold exactly one endpoint per pod with the expected readiness.</summary>
    private sealed class SliceWatcher
    {
        private readonly SharedIndexInformer<V1EndpointSlice> _informer;
        private readonly Lock _lock = new();
        private (bool[] Want, TaskCompletionSource Done)? _waiter;

        public SliceWatcher(SharedIndexInformer<V1EndpointSlice> informer)
        {
            _informer = informer;
            informer.AddEventHandler(new ResourceEventHandler<V1EndpointSlice>((_, _) => Check(), (_, _) => Check(), (_, _) => Check()));
        }

        public Task WaitFor(bool[] ready)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _waiter = ([.. ready], tcs);
            }

            Check();
            return tcs.Task;
        }

        private void Check()
        {
            lock (_lock)
            {
                if (_waiter is not { } w)
                {
                    return;
                }

                var seen = new int[w.Want.Length];
                foreach (var s in _informer.Lister.List())
                {
                    foreach (var e in s.Endpoints ?? [])
                    {
                        var i = int.Parse(e.TargetRef.Name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                        if ((e.Conditions?.Ready == true) != w.Want[i])
                        {
                            return;
                        }

                        seen[i]++;
                    }
                }

                if (seen.All(n => n == 1))
                {
                    _waiter = null;
                    w.Done.TrySetResult();
                }
            }
        }
    }
}
