using System.Diagnostics;
using k8s.Models;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Storage.Memory;

namespace Skiff.Bench.Api;

/// <summary>
/// The cost of admission: pod creates per second through the real HTTPS API with upstream's default chain
/// (NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, Priority, DefaultTolerationSeconds,
/// DefaultStorageClass, ResourceQuota; the namespace has its default service account, a LimitRange with container
/// defaults, a computed ResourceQuota unless <c>--no-quota</c>, and PodSecurity warn=baseline) against every plugin off, alternating runs on
/// two servers in one process; prints the median of each and the ratio.
/// </summary>
internal static class AdmissionBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var pods = BenchArgs.Int(args, "--pods", 2000);
        var runs = BenchArgs.Int(args, "--runs", 3);
        var parallel = BenchArgs.Int(args, "--parallel", 32);
        var quota = !args.Contains("--no-quota");
        await using var on = await Server.StartAsync([], ct);
        await using var off = await Server.StartAsync(AdmissionPluginCatalog.Ordered, ct);
        var withChain = new List<double>();
        var without = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            withChain.Add(await CreatesPerSecondAsync(on, $"on-{run}", pods, parallel, quota, ct));
            without.Add(await CreatesPerSecondAsync(off, $"off-{run}", pods, parallel, quota, ct));
            Console.WriteLine($"run {run + 1}: default chain {withChain[^1]:F0} pods/s, no admission {without[^1]:F0} pods/s");
        }

        var (a, b) = (Median(withChain), Median(without));
        Console.WriteLine($"median: default chain {a:F0} pods/s, no admission {b:F0} pods/s, ratio {a / b:F3} ({(1 - (a / b)) * 100:F1} % slower)");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    private static async Task<double> CreatesPerSecondAsync(Server server, string ns, int pods, int parallel, bool withQuota, CancellationToken ct)
    {
        var cs = server.Clientset;
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["pod-security.kubernetes.io/warn"] = "baseline" } },
        }, ct: ct);
        await cs.CoreV1().ServiceAccounts(ns).CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ct: ct);
        await cs.Resource<V1LimitRange, V1LimitRangeList>(ns).CreateAsync(new V1LimitRange
        {
            Metadata = new V1ObjectMeta { Name = "limits" },
            Spec = new V1LimitRangeSpec { Limits = [new V1LimitRangeItem { Type = "Container", DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } }] },
        }, ct: ct);
        if (withQuota)
        {
            var quotas = cs.Resource<V1ResourceQuota, V1ResourceQuotaList>(ns);
            var quota = await quotas.CreateAsync(new V1ResourceQuota
            {
                Metadata = new V1ObjectMeta { Name = "q" },
                Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("1000000") } },
            }, ct: ct);
            quota.Status = new V1ResourceQuotaStatus { Hard = quota.Spec.Hard, Used = new Dictionary<string, ResourceQuantity> { ["pods"] = new("0") } };
            await quotas.UpdateStatusAsync(quota, ct: ct);
        }

        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < pods)
            {
                await cs.CoreV1().Pods(ns).CreateAsync(new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = $"p{i}" },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                }, ct: ct);
            }
        }));
        return pods / sw.Elapsed.TotalSeconds;
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly ApiServerHost _host;
        private readonly MemoryStorage _storage;

        private Server(ApiServerHost host, MemoryStorage storage, Clientset clientset)
        {
            _host = host;
            _storage = storage;
            Clientset = clientset;
        }

        public Clientset Clientset { get; }

        public static async Task<Server> StartAsync(IReadOnlyList<string> disabled, CancellationToken ct)
        {
            var storage = new MemoryStorage();
            var host = new ApiServerHost(new ApiServerOptions
            {
                DataDirectory = Path.Combine(Path.GetTempPath(), "skiff-admission-bench-" + Guid.NewGuid().ToString("N")[..8]),
                Port = 0,
                Storage = storage,
                Resources = BuiltInResources.Create(new BuiltInResourceOptions()),
                WatchCache = true,
                DisableAdmissionPlugins = disabled,
            });
            await host.StartAsync(ct);
            var clientset = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(host.KubeconfigPath)) with { Qps = 0 });
            return new Server(host, storage, clientset);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.DisposeAsync();
            await _storage.DisposeAsync();
        }
    }
}
