using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Skiff.Bench.Api;

/// <summary>
/// One measured run of the create load generator. Besides the process CPU per create it has what a loaded machine does
/// not inflate: the bytes the process allocated per create (<see cref="GC.GetTotalAllocatedBytes"/>), and the GC pause
/// and JIT compile time (tiering lags under load) per create, all process-wide: the in-process client is included.
/// </summary>
internal sealed record CreateLoadResult(double PerSecond, double P50Ms, double P99Ms, long Errors, double CpuMsPerCreate,
    double KbPerCreate = 0, double GcPauseUsPerCreate = 0, double JitUsPerCreate = 0);

/// <summary>
/// An HTTPS client pool that POSTs pre-encoded objects (each with a fresh name) as fast as the server answers: one
/// <see cref="HttpClient"/> on one HTTP/2 connection (client-go's and kubectl's shape), or on one HTTP/1.1 connection per
/// concurrent client. It authenticates with a client certificate and pins the cluster CA; nothing of Skiff.Client is used.
/// </summary>
internal sealed class CreateLoad : IDisposable
{
    private readonly HttpClient _http;
    private readonly Version _version;

    public CreateLoad(string url, X509Certificate2 clientCertificate, X509Certificate2 ca, bool http2, int clients)
    {
        _version = http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = http2 ? 1 : Math.Max(1, clients),
            EnableMultipleHttp2Connections = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && ChainsTo(cert, ca),
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Creates objects from <paramref name="body"/> (given a unique index) with <paramref name="clients"/> loops for <paramref name="duration"/>.</summary>
    public async Task<CreateLoadResult> RunAsync(string path, Func<long, byte[]> body, int clients, TimeSpan duration, CancellationToken ct)
    {
        long next = 0;
        long errors = 0;
        var latencies = new List<double>[clients];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var (alloc0, pause0, jit0) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), System.Runtime.JitInfo.GetCompilationTime());
        var sw = Stopwatch.StartNew();
        var end = sw.Elapsed + duration;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = new List<double>(4096);
            while (sw.Elapsed < end)
            {
                var i = Interlocked.Increment(ref next);
                var started = Stopwatch.GetTimestamp();
                if (await PostAsync(path, body(i), ct).ConfigureAwait(false))
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }, ct)));
        var elapsed = sw.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        var (alloc, pause, jit) = (GC.GetTotalAllocatedBytes() - alloc0, GC.GetTotalPauseDuration() - pause0, System.Runtime.JitInfo.GetCompilationTime() - jit0);
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var n = all.Length;
        return n == 0
            ? new CreateLoadResult(0, 0, 0, errors, 0)
            : new CreateLoadResult(n / elapsed, all[n / 2], all[Math.Min(n - 1, (int)(n * 0.99))], errors, cpu / n,
                alloc / 1024.0 / n, pause.TotalMicroseconds / n, jit.TotalMicroseconds / n);
    }

    /// <summary>One POST; true when it answered 201. The first failure of a run is printed.</summary>
    public async Task<bool> PostAsync(string path, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = _version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            Console.Error.WriteLine($"create failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }

        return false;
    }

    private int _reported;

    /// <summary>A ConfigMap body of about 400 bytes named <c>{prefix}{i}</c>.</summary>
    public static byte[] ConfigMap(string prefix, long i) => Encoding.UTF8.GetBytes(
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{prefix}}}{{{i}}}","labels":{"app":"bench","tier":"load"}},"data":{"config.yaml":"{{{Filler}}}","mode":"fast"}}""");

    /// <summary>
    /// <see cref="ConfigMap"/> with a send stamp (<c>bench/sent: @T{Stopwatch timestamp}@</c>, monotonic and shared by
    /// the machine's processes) that a watcher turns into a delivery latency; <paramref name="i"/> ≤ 0 (the warm-up) has none.
    /// </summary>
    public static byte[] StampedConfigMap(string prefix, long i) => i <= 0 ? ConfigMap(prefix, i) : Encoding.UTF8.GetBytes(
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{prefix}}}{{{i}}}","labels":{"app":"bench","tier":"load"},"annotations":{"bench/sent":"@T{{{Stopwatch.GetTimestamp()}}}@"}},"data":{"k":"v"}}""");

    /// <summary>A one-container Pod body named <c>{prefix}{i}</c> (what a ReplicaSet controller sends, minus owner references).</summary>
    public static byte[] Pod(string prefix, long i) => Encoding.UTF8.GetBytes(
        PodHead + prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + PodTail);

    private const string PodHead = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":""" + "\"";

    private const string PodTail = "\"" + ""","labels":{"app":"bench","pod-template-hash":"5d8f9c7b6"}},"spec":{"containers":[{"name":"app","image":"registry.k8s.io/pause:3.10","ports":[{"containerPort":8080,"protocol":"TCP"}],"resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}""";

    private static readonly string Filler = new('x', 256);

    private static bool ChainsTo(X509Certificate cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    }

    public void Dispose() => _http.Dispose();
}
