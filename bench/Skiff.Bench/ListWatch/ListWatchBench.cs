using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.Bench.Client;
using Skiff.Client.Config;
using Skiff.Storage;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench.ListWatch;

/// <summary>
/// The read side at scale against a real in-process API server over HTTPS on SQLite with the watch cache on:
/// LIST of P pods with <c>resourceVersion=0</c> (the cache) against unset (consistent), JSON and protobuf; one watcher at
/// the maximum write rate; W watchers at R events/s each over HTTP/2 (and HTTP/1.1); RSS per 10,000 cached pods.
/// Every scenario runs with the cache's byte path off (<c>baseline</c>: decode and re-encode per item and watcher)
/// and on, interleaved in one run, and prints the ratios.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- list-watch [--pods 10000] [--lists 15] [--watchers 1000]
/// [--rate 50] [--seconds 10] [--writers 32] [--one-clients 64] [--alloc-types] [--http 2|1.1|both] [--store sqlite|memory|etcd|both|a,b]
/// [--only list,list-storage,one,fanout,table-list,table-fanout]</c>.
/// </summary>
public static partial class ListWatchBench
{
    private const string PodNamespace = "bench-list";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var pods = BenchArgs.Int(args, "--pods", 10_000);
        var lists = BenchArgs.Int(args, "--lists", 15);
        var watchers = BenchArgs.Int(args, "--watchers", 1000);
        var rate = BenchArgs.Int(args, "--rate", 50);
        var seconds = BenchArgs.Int(args, "--seconds", 10);
        var writers = BenchArgs.Int(args, "--writers", 32);
        var oneClients = BenchArgs.Int(args, "--one-clients", 64);
        using var allocTypes = args.Contains("--alloc-types") ? new AllocationSampler() : null;
        AllocTypes = allocTypes;
        var httpIndex = Array.IndexOf(args, "--http");
        var http = httpIndex >= 0 && httpIndex + 1 < args.Length ? args[httpIndex + 1] : "2";
        var only = Array.IndexOf(args, "--only") is var oi and >= 0 && oi + 1 < args.Length ? args[oi + 1] : "all";
        bool Runs(string scenario) => only == "all" || only.Split(',').Contains(scenario);
        var stores = Array.IndexOf(args, "--store") is var si and >= 0 && si + 1 < args.Length ? args[si + 1] : "sqlite";
        foreach (var store in stores == "both" ? new[] { "memory", "sqlite" } : stores.Split(','))
        {
            Console.WriteLine($"list-watch bench: {pods} pods, {lists} lists per case, {watchers} watchers × {rate} events/s for {seconds} s, "
                + $"{writers} seeding writers, {oneClients} writer clients for one watcher; store {store}; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
            await RunStoreAsync(store, Runs, pods, lists, watchers, rate, seconds, writers, oneClients, http, ct).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task RunStoreAsync(
        string store, Func<string, bool> runs, int pods, int lists, int watchers, int rate, int seconds, int writers, int oneClients, string http, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-list-watch-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var rssEmpty = Rss();
        System.Diagnostics.Process? etcd = null;
        string? etcdDir = null;
        IStorage storage;
        if (store == "etcd")
        {
            // A throw-away etcd member (the issue's "quorum path on SQLite and on etcd"): a latest list from storage is a
            // range read over gRPC, as upstream's with ConsistentListFromCache off.
            string servers;
            (etcd, etcdDir, servers) = await Skiff.Bench.Storage.EtcdBench.StartEtcdAsync().ConfigureAwait(false);
            storage = await Skiff.Storage.Etcd.EtcdStorage.ConnectAsync(Skiff.Storage.Etcd.EtcdOptions.Parse(servers), ct).ConfigureAwait(false);
        }
        else
        {
            storage = store == "memory"
                ? new Skiff.Storage.Memory.MemoryStorage()
                : await SqliteStorage.OpenAsync(Path.Combine(dir, "skiff.db"), null, ct).ConfigureAwait(false);
        }
        var host = new ApiServerHost(new ApiServerOptions
        {
            DataDirectory = dir,
            Port = 0,
            Storage = storage,
            Resources = BuiltInResources.Create(new BuiltInResourceOptions()),
            WatchCache = true,
            DisableAdmissionPlugins = ["ServiceAccount", "Priority"],
        });
        try
        {
            await host.StartAsync(ct).ConfigureAwait(false);
            var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(host.KubeconfigPath));
            using var h2 = Client(config.ClientCertificate, HttpVersion.Version20);
            var url = host.Url;
            await CreateNamespaceAsync(h2, url, PodNamespace, ct).ConfigureAwait(false);
            var rssBefore = Rss();
            var seed = Stopwatch.StartNew();
            await SeedPodsAsync(h2, url, pods, writers, ct).ConfigureAwait(false);
            Console.WriteLine($"seeded {pods} pods in {seed.Elapsed.TotalSeconds:0.0} s ({pods / seed.Elapsed.TotalSeconds:0}/s)");
            var rssAfter = Rss();
            Console.WriteLine($"RSS: {rssEmpty / 1e6:0} MB at start, {rssBefore / 1e6:0} MB serving, {rssAfter / 1e6:0} MB with {pods} pods cached: "
                + $"{(rssAfter - rssBefore) / 1e6 * 10_000 / Math.Max(1, pods):0.0} MB per 10,000 pods (SQLite page cache included)");

            if (runs("list"))
            {
                await ListsAsync(h2, url, lists, ct).ConfigureAwait(false);
            }

            if (runs("list-storage"))
            {
                await ListsAgainstStorageAsync(h2, url, host.WatchCacheStorage!, lists, ct).ConfigureAwait(false);
            }

            if (runs("one"))
            {
                var pki = Path.Combine(dir, "load-pki");
                Directory.CreateDirectory(pki);
                await File.WriteAllTextAsync(Path.Combine(pki, "admin.crt"), host.Certificates.AdminCertificatePem, ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(pki, "admin.key"), host.Certificates.AdminKeyPem, ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(pki, "ca.crt"), host.Certificates.CaPem, ct).ConfigureAwait(false);
                await OneWatcherAsync(h2, url, pki, seconds, oneClients, ct).ConfigureAwait(false);
            }

            if (runs("table-list"))
            {
                await TableListsAsync(h2, url, lists, ct).ConfigureAwait(false);
            }

            if (runs("table-fanout"))
            {
                await TableFanoutAsync(host.KubeconfigPath, h2, url, watchers, rate, seconds, ct).ConfigureAwait(false);
            }

            if (runs("fanout"))
            {
                foreach (var protocol in http == "both" ? new[] { "HTTP/2", "HTTP/1.1" } : [http == "1.1" ? "HTTP/1.1" : "HTTP/2"])
                {
                    await FanoutAsync(host.KubeconfigPath, h2, protocol, url, watchers, rate, seconds, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            SetBytePath(true);
            await host.DisposeAsync().ConfigureAwait(false);
            await storage.DisposeAsync().ConfigureAwait(false);
            if (etcd is not null)
            {
                etcd.Kill();
                await etcd.WaitForExitAsync(ct).ConfigureAwait(false);
                etcd.Dispose();
            }

            foreach (var d in new[] { dir, etcdDir })
            {
                try
                {
                    if (d is not null)
                    {
                        Directory.Delete(d, recursive: true);
                    }
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>Turns the cache's byte path on or off (off = the baseline that decodes and re-encodes).</summary>
    private static void SetBytePath(bool on)
    {
        Skiff.ApiServer.Endpoints.WatchFrameCache.Enabled = on;
        Skiff.ApiServer.Storage.Cacher.StoredObject.Enabled = on;
    }

    private static async Task ListsAsync(HttpClient client, string url, int lists, CancellationToken ct)
    {
        var path = $"{url}/api/v1/namespaces/{PodNamespace}/pods";
        foreach (var protobuf in new[] { false, true })
        {
            var results = new Dictionary<(bool Cache, bool BytePath), List<double>>();
            var cpu = new Dictionary<(bool Cache, bool BytePath), List<double>>();
            long bytes = 0;
            for (var i = -1; i < lists; i++)
            {
                foreach (var bytePath in new[] { false, true })
                {
                    SetBytePath(bytePath);
                    foreach (var cache in i % 2 == 0 ? new[] { true, false } : new[] { false, true })
                    {
                        var (ms, used, size) = await TimedGetAsync(client, cache ? path + "?resourceVersion=0" : path, protobuf ? "application/vnd.kubernetes.protobuf" : "application/json", ct)
                            .ConfigureAwait(false);
                        bytes = size;
                        if (i >= 0)
                        {
                            (results.TryGetValue((cache, bytePath), out var l) ? l : results[(cache, bytePath)] = []).Add(ms);
                            (cpu.TryGetValue((cache, bytePath), out var c) ? c : cpu[(cache, bytePath)] = []).Add(used);
                        }
                    }
                }
            }

            SetBytePath(true);
            var format = protobuf ? "protobuf" : "json";
            foreach (var bytePath in new[] { false, true })
            {
                var rv0 = results[(true, bytePath)];
                var quorum = results[(false, bytePath)];
                Console.WriteLine($"LIST {format,-8} {(bytePath ? "byte path" : "baseline "),-9}: rv=0 p50 {Stats.Median(rv0):0.0} ms p99 {Stats.Percentile(rv0, 0.99):0.0} ms "
                    + $"(CPU {Stats.Median(cpu[(true, bytePath)]):0.0} ms); unset p50 {Stats.Median(quorum):0.0} ms p99 {Stats.Percentile(quorum, 0.99):0.0} ms "
                    + $"(CPU {Stats.Median(cpu[(false, bytePath)]):0.0} ms); unset/rv0 {Stats.Median(quorum) / Stats.Median(rv0):0.00}×; {bytes / 1e6:0.0} MB");
            }

            Console.WriteLine($"LIST {format,-8} byte path vs baseline: rv=0 {Stats.Median(results[(true, false)]) / Stats.Median(results[(true, true)]):0.00}× faster, "
                + $"unset {Stats.Median(results[(false, false)]) / Stats.Median(results[(false, true)]):0.00}× faster");
        }
    }

    /// <summary>One LIST: its wall time and this process's CPU (ms) and the body's size, read to the end.</summary>
    private static async Task<(double Ms, double CpuMs, long Bytes)> TimedGetAsync(HttpClient client, string url, string accept, CancellationToken ct)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        request.Version = client.DefaultRequestVersion;
        request.VersionPolicy = client.DefaultVersionPolicy;
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var bytes = await CountBytesAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        return (sw.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds, bytes);
    }

    private static async Task<long> CountBytesAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return total;
    }

    private static HttpClient Client(System.Security.Cryptography.X509Certificates.X509Certificate2? cert, Version version)
    {
        var handler = new SocketsHttpHandler
        {
            // As Go's transport: a connection whose streams are all in use (the server allows 100) gets a sibling.
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxConnectionsPerServer = int.MaxValue,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                ClientCertificates = cert is null ? null : new System.Security.Cryptography.X509Certificates.X509CertificateCollection { cert },
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = Timeout.InfiniteTimeSpan };
    }

    private static async Task CreateNamespaceAsync(HttpClient client, string url, string name, CancellationToken ct)
    {
        var body = $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""";
        using var response = await client.PostAsync($"{url}/api/v1/namespaces", Json(body), ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private static StringContent Json(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string PodJson(int i) => $$$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-{{{{i:D6}}}}","labels":{"app":"app-{{{{i % 10}}}}","tier":"bench","pod-template-hash":"5d8f7c9b4"},
        "annotations":{"example.com/owner":"team-{{{{i % 7}}}}"}},"spec":{"nodeName":"node-{{{{i % 100}}}}","containers":[{"name":"main","image":"registry.k8s.io/pause:3.10",
        "args":["--port","8080"],"env":[{"name":"MODE","value":"bench"},{"name":"INDEX","value":"{{{{i}}}}"}],"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
        "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}}}]}}
        """;

    private static async Task SeedPodsAsync(HttpClient client, string url, int pods, int writers, CancellationToken ct)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < pods)
            {
                using var response = await client.PostAsync($"{url}/api/v1/namespaces/{PodNamespace}/pods", Json(PodJson(i)), ct).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }
        })).ConfigureAwait(false);
    }

    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    private static string Itoa(long n) => n.ToString(CultureInfo.InvariantCulture);
}
