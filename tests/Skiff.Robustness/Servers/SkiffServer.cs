using System.Globalization;

namespace Skiff.Robustness.Servers;

/// <summary>
/// The real <c>skiff apiserver</c> binary on a data directory and a fixed port, on SQLite (in the data directory) or
/// etcd; <see cref="KillAsync"/> sends SIGKILL and <see cref="RestartAsync"/> starts it again on the same data.
/// </summary>
public sealed class SkiffServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SkiffServer(string dataDir, int port, IEnumerable<string> storageArgs)
    {
        DataDir = dataDir;
        Port = port;
        string[] args = [SkiffDll, "apiserver", "--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture), .. storageArgs];
        _process = new ServerProcess("dotnet", args);
        _process.Line += line =>
        {
            if (line.Contains("Local Kubernetes cluster is running", StringComparison.Ordinal))
            {
                _ready.TrySetResult();
            }
        };
    }

    /// <summary>skiff.dll beside this assembly (the project references src/Skiff).</summary>
    public static string SkiffDll => Path.Combine(AppContext.BaseDirectory, "skiff.dll");

    public string DataDir { get; }

    public int Port { get; }

    public string Kubeconfig => Path.Combine(DataDir, "admin.kubeconfig");

    public string Log => _process.Log;

    /// <summary>Starts <c>skiff apiserver --storage sqlite</c> on a new data directory.</summary>
    public static Task<SkiffServer> StartSqliteAsync(CancellationToken ct) => StartAsync(["--storage", "sqlite"], ct);

    /// <summary>Starts <c>skiff apiserver --storage etcd --etcd-servers URL</c>.</summary>
    public static Task<SkiffServer> StartEtcdAsync(Uri etcd, CancellationToken ct) =>
        StartAsync(["--storage", "etcd", "--etcd-servers", etcd.GetLeftPart(UriPartial.Authority)], ct);

    private static async Task<SkiffServer> StartAsync(string[] storageArgs, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-robust-" + Guid.NewGuid().ToString("N")[..10]);
        var server = new SkiffServer(dir, LoopbackPort.Free(), storageArgs);
        try
        {
            await server.RestartAsync(ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>SIGKILLs the server.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts the server on the same data directory and port and waits until it serves.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.Start();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await _ready.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException("skiff apiserver did not start within 90 s:\n" + Tail(_process.Log));
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
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The last 4,000 characters of <paramref name="log"/>.</summary>
    public static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;
}
