namespace Skiff.Kubelet.Prober;

/// <summary>Runs a command in a container and waits for it (CRI <c>ExecSync</c>); what exec probes need.</summary>
public interface IContainerExec
{
    /// <summary>Runs <paramref name="command"/> in container <paramref name="containerId"/>; a timeout is a failure
    /// result (exit code -1 and a message), not an exception.</summary>
    Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken ct);
}

/// <summary>The outcome of an exec: exit code, stdout and stderr (each capped by the runtime).</summary>
public sealed record ExecResult(int ExitCode, byte[] Stdout, byte[] Stderr, bool TimedOut = false);
