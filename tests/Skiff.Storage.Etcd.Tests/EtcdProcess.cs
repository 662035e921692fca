using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Skiff.Storage.Etcd.Tests;

/// <summary>
/// A real etcd member started on free loopback ports with a temporary data directory. It can be killed with SIGKILL and
/// restarted on the same data directory and ports; disposing it stops the process and deletes the directory.
/// </summary>
/// <remarks>The etcd binary is taken from <c>ETCD_BIN</c> or the PATH; when it is missing, starting throws (tests fail, never skip).</remarks>
public sealed class EtcdProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly string _initialCluster;
    private readonly StringBuilder _log = new();
    private Process? _process;
    private bool _started;

    private EtcdProcess(string name, int clientPort, int peerPort, string initialCluster, string dataDir)
    {
        Name = name;
        ClientUrl = new Uri($"http://127.0.0.1:{clientPort}");
        PeerUrl = new Uri($"http://127.0.0.1:{peerPort}");
        _initialCluster = initialCluster;
        DataDir = dataDir;
    }

    public string Name { get; }

    public Uri ClientUrl { get; }

    public Uri PeerUrl { get; }

    public string DataDir { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a single-member etcd and waits until it serves requests.</summary>
    public static async Task<EtcdProcess> StartAsync(CancellationToken ct)
    {
        var member = Create("m0", 1).Single();
        await member.StartProcessAsync(ct);
        return member;
    }

    /// <summary>Starts an etcd cluster of <paramref name="members"/> members and waits until every one is healthy.</summary>
    public static async Task<EtcdProcess[]> StartClusterAsync(int members, CancellationToken ct)
    {
        var cluster = Create("m", members);
        try
        {
            await Task.WhenAll(cluster.Select(m => m.StartProcessAsync(ct)));
        }
        catch
        {
            foreach (var m in cluster)
            {
                await m.DisposeAsync();
            }

            throw;
        }

        return cluster;
    }

    /// <summary>Locates the etcd binary or throws with the command that installs it.</summary>
    public static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("ETCD_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "etcd");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "etcd is not installed: the etcd tests need a real etcd 3.4+ binary. Install it (apt-get install etcd-server etcd-client) or set ETCD_BIN.");
    }

    /// <summary>SIGKILLs the member (no clean shutdown) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the member again on the same data directory and ports and waits until it is healthy.</summary>
    public Task RestartAsync(CancellationToken ct) => StartProcessAsync(ct);

    /// <summary>The member's recent log, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Waits until the member answers /health with a leader, or throws with its log.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"etcd {Name} exited with code {exited.ExitCode}:\n{Tail()}");
            }

            try
            {
                var body = await Http.GetStringAsync(new Uri(ClientUrl, "/health"), ct);
                if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"etcd {Name} at {ClientUrl} not healthy after {timeout}:\n{Tail()}");
            }

            await Task.Delay(50, ct);
        }
    }

    private static EtcdProcess[] Create(string namePrefix, int count)
    {
        var ports = FreePorts(2 * count);
        var names = Enumerable.Range(0, count).Select(i => count == 1 ? namePrefix : $"{namePrefix}{i}").ToArray();
        var cluster = string.Join(",", names.Select((n, i) => $"{n}=http://127.0.0.1:{ports[(2 * i) + 1]}"));
        return names.Select((n, i) =>
        {
            var dir = Path.Combine(Path.GetTempPath(), $"skiff-etcd-{Guid.NewGuid():N}");
            return new EtcdProcess(n, ports[2 * i], ports[(2 * i) + 1], cluster, dir);
        }).ToArray();
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToArray();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners)
        {
            l.Stop();
        }

        return ports;
    }

    private async Task StartProcessAsync(CancellationToken ct)
    {
        var info = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--name", Name,
            "--data-dir", DataDir,
            "--listen-client-urls", Bare(ClientUrl),
            "--advertise-client-urls", Bare(ClientUrl),
            "--listen-peer-urls", Bare(PeerUrl),
            "--initial-advertise-peer-urls", Bare(PeerUrl),
            "--initial-cluster", _initialCluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", "skiff-test",
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
            // Room for a value of exactly StorageLimits.MaxValueBytes plus the key and framing.
            "--max-request-bytes", "2097152",
            // Progress notifications (ordered with events) often enough for tests that wait for one.
            "--experimental-watch-progress-notify-interval", "200ms",
            "--logger", "zap",
            "--log-level", "warn",
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("ETCD_UNSUPPORTED_ARCH");
        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start etcd");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _started = true;
        await WaitHealthyAsync(TimeSpan.FromSeconds(30), ct);
    }

    private static string Bare(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length > 64 * 1024)
            {
                _log.Remove(0, 32 * 1024);
            }

            _log.AppendLine(line);
        }
    }

    private string Tail()
    {
        var log = Log;
        return _started && log.Length > 4000 ? log[^4000..] : log;
    }
}
