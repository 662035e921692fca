using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Skiff.E2E.Tests;

/// <summary>Runs the built <c>skiff up</c> binary on a temp data dir and a free port, and kubectl against it.</summary>
public sealed class SkiffProcess : IAsyncDisposable
{
    /// <summary>How long a start may take to print "Local Kubernetes cluster is running" (generous: CI runs test projects in parallel).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ProcessOutput _stderr;

    private SkiffProcess(Process process, string dataDir, int port, ProcessOutput stderr)
    {
        _process = process;
        DataDir = dataDir;
        Port = port;
        _stderr = stderr;
    }

    /// <summary>What the process wrote to stderr (its log) so far.</summary>
    public string Log => _stderr.Text;

    /// <summary>The stderr lines as they arrive (to wait for one).</summary>
    public ProcessOutput LogLines => _stderr;

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    public string DataDir { get; }

    public int Port { get; }

    public string Kubeconfig => Path.Combine(DataDir, "admin.kubeconfig");

    public static string SkiffDll => Path.Combine(AppContext.BaseDirectory, "skiff.dll");

    public static bool KubectlAvailable => File.Exists("/usr/bin/kubectl");

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task<SkiffProcess> StartAsync(string? dataDir = null, int? port = null, CancellationToken ct = default) =>
        await StartAsync("up", dataDir, port, [], ct);

    /// <summary>Starts <c>skiff <paramref name="command"/></c> (up or apiserver) with <paramref name="extraArgs"/> and waits until it reports it is running.</summary>
    public static async Task<SkiffProcess> StartAsync(string command, string? dataDir, int? port, IReadOnlyList<string> extraArgs, CancellationToken ct = default)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "skiff-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        var p = port ?? FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // `skiff up` runs a real kubelet on containerd when it can; tests get no node (a control plane only, plus any
        // --hollow-nodes) unless they ask for a runtime, so concurrent test processes never share the kubelet's port,
        // the CNI bridge or its IP range, and a test's pods stay where the test puts them.
        IEnumerable<string> defaults = command == "up" && !extraArgs.Contains("--runtime") ? ["--runtime", "none"] : [];
        // Likewise the cluster DNS listens on a free loopback port rather than :53, unless the test asks for an address.
        if (command == "up" && !extraArgs.Contains("--cluster-dns-bind"))
        {
            defaults = defaults.Concat(["--cluster-dns-bind", "127.0.0.1:0"]);
        }

        foreach (var a in new[] { SkiffDll, command, "--data-dir", dataDir, "--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(defaults).Concat(extraArgs))
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Local Kubernetes cluster is running", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        var stderr = new ProcessOutput();
        process.ErrorDataReceived += (_, e) => stderr.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A start that fails or times out stops the process (SIGINT, then kill): a leaked `skiff up` would keep the
        // kubelet's port, containerd and the CNI bridge from the next test.
        var started = new SkiffProcess(process, dataDir, p, stderr);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(StartTimeout);
            try
            {
                await ready.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"skiff {command} did not report ready within {StartTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s; its log ends:\n"
                    + string.Join('\n', stderr.Text.Split('\n').TakeLast(15)));
            }

            if (command == "up" && !extraArgs.Any(a => a.StartsWith("--controllers", StringComparison.Ordinal)) && KubectlAvailable)
            {
                // ServiceAccount admission refuses pods until the serviceaccount controller has made `default` (as
                // upstream's e2e framework, wait for it before a test creates pods).
                var (exit, _, err) = await started.KubectlArgsAsync(["wait", "--for=create", "serviceaccount/default", "-n", "default", "--timeout=30s"]);
                if (exit != 0)
                {
                    throw new InvalidOperationException("the default service account never appeared: " + err);
                }
            }
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }

        return started;
    }

    /// <summary>Runs kubectl 1.32 with this cluster's kubeconfig; returns exit code, stdout, stderr.</summary>
    public Task<(int Exit, string Out, string Err)> KubectlAsync(string args, string? stdin = null, TimeSpan? timeout = null) =>
        KubectlArgsAsync(args.Split(' ', StringSplitOptions.RemoveEmptyEntries), stdin, timeout);

    /// <summary>Like <see cref="KubectlAsync"/> with each argument passed verbatim.</summary>
    /// <summary>Runs kubectl and asserts that it succeeded (its stderr is the failure message).</summary>
    public async Task<(int Exit, string Out, string Err)> KubectlOkAsync(string args, string? stdin = null) =>
        Succeeded(await KubectlAsync(args, stdin).ConfigureAwait(false));

    /// <summary>Runs kubectl with separate arguments and asserts that it succeeded.</summary>
    public async Task<(int Exit, string Out, string Err)> KubectlArgsOkAsync(IEnumerable<string> args, string? stdin = null) =>
        Succeeded(await KubectlArgsAsync(args, stdin).ConfigureAwait(false));

    public async Task<(int Exit, string Out, string Err)> KubectlArgsAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(DataDir, "kcache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = Kubeconfig;
        psi.Environment["HOME"] = DataDir;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }

        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Stops with SIGINT and waits; returns the exit code.</summary>
    public Task<int> StopAsync() => SignalAndWaitAsync(2);

    /// <summary>Sends <paramref name="signal"/> (2 = SIGINT, 15 = SIGTERM) and waits up to 20 s for the exit; returns the exit code.</summary>
    public async Task<int> SignalAndWaitAsync(int signal)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static (int Exit, string Out, string Err) Succeeded((int Exit, string Out, string Err) result)
    {
        Xunit.Assert.True(result.Exit == 0, result.Err);
        return result;
    }
}
