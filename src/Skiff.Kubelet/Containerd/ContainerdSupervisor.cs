using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Cri;
using Skiff.Cri.V1;
using Skiff.Kubelet.Runtime;

namespace Skiff.Kubelet.Containerd;

/// <summary>
/// A containerd for the kubelet (k3s's approach): <see cref="StartAsync"/> writes <see cref="ContainerdConfig"/> and
/// starts <c>/usr/bin/containerd</c> with it (overlayfs, or native when an overlay mount fails under the data dir), then
/// waits until its CRI answers <c>Version</c>. <see cref="DisposeAsync"/> sends SIGTERM, waits, then SIGKILLs, and also
/// ends the runc shims that containerd started (found by the <c>-address SOCKET</c> of their command line), so no
/// process outlives it. <see cref="AttachAsync"/> uses an already running containerd instead (nothing is stopped then).
/// </summary>
public sealed partial class ContainerdSupervisor : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly ILogger _logger;
    private readonly Task _drain;

    private ContainerdSupervisor(ContainerdConfig config, Process? process, Task drain, string version, ILogger logger)
    {
        Config = config;
        _process = process;
        _drain = drain;
        Version = version;
        _logger = logger;
    }

    /// <summary>The configuration it runs with (for an attached containerd only <see cref="Endpoint"/> is meaningful).</summary>
    public ContainerdConfig Config { get; }

    /// <summary>The CRI endpoint, <c>unix:///…</c>.</summary>
    public string Endpoint => Config.Endpoint;

    /// <summary>The runtime's version as CRI reports it (<c>1.6.20…</c>).</summary>
    public string Version { get; }

    /// <summary>True when this supervisor started the process (and stops it on dispose).</summary>
    public bool Owned => _process is not null;

    /// <summary>The containerd process's id when this supervisor started it (the kubelet bench reads its CPU and memory).</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>Whether this process can start containerd itself: the binary exists and we are root.</summary>
    public static bool CanStart(string binary = "/usr/bin/containerd") => File.Exists(binary) && Environment.UserName == "root" && OperatingSystem.IsLinux();

    /// <summary>Connects to a containerd already listening on <paramref name="endpoint"/>; throws when it does not answer.</summary>
    public static async Task<ContainerdSupervisor> AttachAsync(string endpoint, ILogger? logger, CancellationToken ct)
    {
        var socket = CriConnection.SocketPathOf(endpoint);
        var config = new ContainerdConfig { Directory = Path.GetDirectoryName(socket) ?? "/" };
        var version = await VersionAsync(endpoint, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false)
            ?? throw new IOException($"no container runtime answers on {endpoint}");
        return new ContainerdSupervisor(config with { }, null, Task.CompletedTask, version, logger ?? NullLogger.Instance);
    }

    /// <summary>Writes the config and starts containerd; returns once its CRI answers (or throws after <paramref name="timeout"/>).</summary>
    public static async Task<ContainerdSupervisor> StartAsync(ContainerdConfig config, ILogger? logger, TimeSpan timeout, CancellationToken ct)
    {
        logger ??= NullLogger.Instance;
        Directory.CreateDirectory(config.Directory);
        Directory.CreateDirectory(config.CniConfDirectory);
        if (config.Snapshotter == "overlayfs" && !await OverlayWorksAsync(config.Directory, ct).ConfigureAwait(false))
        {
            config = config with { Snapshotter = "native" };
            LogNativeSnapshotter(logger, config.Directory);
        }

        await File.WriteAllTextAsync(config.ConfigFile, config.Render(), ct).ConfigureAwait(false);
        if (File.Exists(config.Socket))
        {
            File.Delete(config.Socket);
        }

        var start = new ProcessStartInfo(config.Binary)
        {
            ArgumentList = { "--config", config.ConfigFile },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new IOException($"cannot start {config.Binary}");
        var logFile = Path.Combine(config.Directory, "containerd.log");
        var drain = Task.Run(async () =>
        {
            await using var log = new StreamWriter(logFile, append: true);
            var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            while (await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                await log.WriteLineAsync(line).ConfigureAwait(false);
                await log.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await stdout.ConfigureAwait(false);
        }, CancellationToken.None);
        var supervisor = new ContainerdSupervisor(config, process, drain, "", logger);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new IOException($"containerd exited with code {process.ExitCode} at start; see {logFile}");
                }

                if (File.Exists(config.Socket) && await VersionAsync(config.Endpoint, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false) is { } version)
                {
                    LogStarted(logger, process.Id, config.Socket, version, config.Snapshotter);
                    return new ContainerdSupervisor(config, process, drain, version, logger);
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"containerd did not answer on {config.Socket} within {timeout.TotalSeconds:0} s; see {logFile}");
                }

                await Task.Delay(50, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            await supervisor.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops a containerd this supervisor started (SIGTERM, 10 s, SIGKILL) and its shims; no-op when attached.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await StopSandboxesAsync(Config.Endpoint).ConfigureAwait(false);
        }

        var shims = ShimPids(Config.Socket);
        if (!_process.HasExited)
        {
            Native.Signal(_process.Id, Native.SigTerm);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        // Shims outlive containerd by design (live restore); a supervisor that owns containerd ends them too, and with
        // them the containers' processes.
        foreach (var pid in shims.Concat(ShimPids(Config.Socket)).Distinct())
        {
            Native.Signal(pid, Native.SigKill);
        }

        try
        {
            await _drain.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The log pipe stays open while a shim holds it; nothing more to read.
        }

        LogStopped(_logger, _process.Id);
        _process.Dispose();
    }

    /// <summary>Stops every sandbox (and so its containers) before containerd goes: killed shims would leave their
    /// containers' processes and rootfs mounts behind. Best effort, within 10 s.</summary>
    private static async Task StopSandboxesAsync(string endpoint)
    {
        using var cri = CriConnection.Connect(endpoint);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var list = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: cts.Token).ConfigureAwait(false);
            await Task.WhenAll(list.Items.Select(async s =>
            {
                await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: cts.Token).ConfigureAwait(false);
                await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: cts.Token).ConfigureAwait(false);
            })).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // Whatever is left is killed with the shims.
        }
    }

    /// <summary>The pids of <c>containerd-shim*</c> processes whose <c>-address</c> is <paramref name="socket"/>.</summary>
    internal static IReadOnlyList<int> ShimPids(string socket)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Length > 0 && Path.GetFileName(args[0]).StartsWith("containerd-shim", StringComparison.Ordinal))
                {
                    var i = Array.IndexOf(args, "-address");
                    if (i >= 0 && i + 1 < args.Length && args[i + 1] == socket)
                    {
                        pids.Add(pid);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return pids;
    }

    private static async Task<string?> VersionAsync(string endpoint, TimeSpan timeout, CancellationToken ct)
    {
        using var cri = CriConnection.Connect(endpoint);
        try
        {
            var v = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
            return v.RuntimeVersion;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>Mounts a scratch overlay under <paramref name="directory"/> to see whether overlayfs works there.</summary>
    private static Task<bool> OverlayWorksAsync(string directory, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var probe = Path.Combine(directory, ".overlay-probe");
        try
        {
            foreach (var d in new[] { "lower", "upper", "work", "merged" })
            {
                Directory.CreateDirectory(Path.Combine(probe, d));
            }

            var merged = Path.Combine(probe, "merged");
            var ok = Native.Mount("overlay", merged, "overlay", $"lowerdir={probe}/lower,upperdir={probe}/upper,workdir={probe}/work");
            if (ok)
            {
                Native.Unmount(merged);
            }

            return Task.FromResult(ok);
        }
        finally
        {
            try
            {
                Directory.Delete(probe, recursive: true);
            }
            catch (IOException)
            {
                // A leftover probe directory is harmless.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "containerd {Pid} is up on {Socket} (version {Version}, snapshotter {Snapshotter})")]
    private static partial void LogStarted(ILogger logger, int pid, string socket, string version, string snapshotter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlayfs does not work under {Directory}; containerd uses the native snapshotter")]
    private static partial void LogNativeSnapshotter(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "containerd {Pid} stopped")]
    private static partial void LogStopped(ILogger logger, int pid);
}
