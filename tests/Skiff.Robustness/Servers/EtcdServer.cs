using System.Globalization;

namespace Skiff.Robustness.Servers;

/// <summary>A single-member etcd on free loopback ports and a temporary data directory.</summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly HttpClient Health = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly ServerProcess _process;

    private EtcdServer(string binary, string dataDir, int clientPort, int peerPort)
    {
        DataDir = dataDir;
        ClientUrl = new Uri($"http://127.0.0.1:{clientPort.ToString(CultureInfo.InvariantCulture)}");
        var peer = $"http://127.0.0.1:{peerPort.ToString(CultureInfo.InvariantCulture)}";
        var client = ClientUrl.GetLeftPart(UriPartial.Authority);
        _process = new ServerProcess(binary,
        [
            "--name", "robust", "--data-dir", dataDir,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "robust=" + peer, "--initial-cluster-state", "new",
            "--heartbeat-interval", "50", "--election-timeout", "500",
            "--experimental-watch-progress-notify-interval", "1s",
            "--logger", "zap", "--log-level", "warn",
        ]);
    }

    public Uri ClientUrl { get; }

    public string DataDir { get; }

    /// <summary>The etcd binary from <c>ETCD_BIN</c> or the PATH, or null when it is not installed.</summary>
    public static string? FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("ETCD_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin")
            .Select(d => Path.Combine(d, "etcd")).FirstOrDefault(File.Exists);
    }

    /// <summary>Starts etcd and waits until /health reports a leader.</summary>
    public static async Task<EtcdServer> StartAsync(CancellationToken ct)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("etcd is not installed (apt-get install etcd-server, or set ETCD_BIN)");
        var server = new EtcdServer(binary, Path.Combine(Path.GetTempPath(), "skiff-robust-etcd-" + Guid.NewGuid().ToString("N")[..10]),
            LoopbackPort.Free(), LoopbackPort.Free());
        server._process.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                var body = await Health.GetStringAsync(new Uri(server.ClientUrl, "/health"), ct);
                if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline || server._process.HasExited)
            {
                var log = server._process.Log;
                await server.DisposeAsync();
                throw new TimeoutException("etcd did not become healthy:\n" + SkiffServer.Tail(log));
            }

            await Task.Delay(50, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
