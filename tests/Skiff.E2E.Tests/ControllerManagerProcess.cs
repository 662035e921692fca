using System.Diagnostics;

namespace Skiff.E2E.Tests;

/// <summary>A running <c>skiff controller-manager</c> process, its log collected; dispose kills it.</summary>
public sealed class ControllerManagerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ControllerManagerProcess(Process process, ProcessOutput log)
    {
        _process = process;
        Log = log;
    }

    /// <summary>Its stderr (the log).</summary>
    public ProcessOutput Log { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>skiff controller-manager --kubeconfig <paramref name="kubeconfig"/></c> with <paramref name="args"/>.</summary>
    public static ControllerManagerProcess Start(string kubeconfig, params string[] args) => StartComponent("controller-manager", kubeconfig, args);

    /// <summary>Starts <c>skiff <paramref name="command"/> --kubeconfig <paramref name="kubeconfig"/></c> (e.g. <c>scheduler</c>) with <paramref name="args"/>.</summary>
    public static ControllerManagerProcess StartComponent(string command, string kubeconfig, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { SkiffProcess.SkiffDll, command, "--kubeconfig", kubeconfig }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        var log = new ProcessOutput();
        process.ErrorDataReceived += (_, e) => log.Add(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new ControllerManagerProcess(process, log);
    }

    /// <summary>The identity it competes with, from its start line.</summary>
    public async Task<string> IdentityAsync(TimeSpan deadline)
    {
        var line = await Log.WaitForLineAsync(l => l.Contains("controller manager ", StringComparison.Ordinal) && l.Contains(" starting (", StringComparison.Ordinal))
            .WaitAsync(deadline);
        var after = line[(line.IndexOf("controller manager ", StringComparison.Ordinal) + "controller manager ".Length)..];
        return after[..after.IndexOf(' ', StringComparison.Ordinal)];
    }

    /// <summary><c>kill -9</c>: no chance to release the Lease.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
