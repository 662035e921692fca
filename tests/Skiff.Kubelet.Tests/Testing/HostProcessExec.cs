using System.Diagnostics;
using Skiff.Kubelet.Prober;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// An <see cref="IContainerExec"/> that runs the command as a real process on the host (the "container id" is ignored):
/// exec probes in unit tests run real commands, not canned answers. A command that outlives the timeout is killed and
/// reported as timed out, as CRI ExecSync does.
/// </summary>
public sealed class HostProcessExec : IContainerExec
{
    private int _calls;

    /// <summary>How many commands ran.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + command[0]);
        var stdout = ReadAllAsync(process.StandardOutput.BaseStream);
        var stderr = ReadAllAsync(process.StandardError.BaseStream);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return new ExecResult(-1, [], [], TimedOut: true);
        }

        return new ExecResult(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }
}
