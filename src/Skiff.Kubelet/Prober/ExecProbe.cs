using System.Text;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// An exec probe (upstream <c>pkg/probe/exec</c> over the runtime's ExecSync): exit code 0 is success, any other a
/// failure with the combined output (capped at 10 KiB) as the message; a timeout is a failure
/// (<c>command "..." timed out</c>); an exec the runtime could not run is unknown (not counted).
/// </summary>
internal static class ExecProbe
{
    private const int MaxOutput = 10 * 1024;

    public static async Task<ProbeOutcome> RunAsync(IContainerExec exec, string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken ct)
    {
        ExecResult result;
        try
        {
            result = await exec.ExecSyncAsync(containerId, command, timeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ProbeOutcome.Errored(e.Message);
        }

        if (result.TimedOut)
        {
            return new ProbeOutcome(ProbeResult.Failure, $"command {Skiff.Api.Validation.GoFormat.Quote(string.Join(' ', command))} timed out");
        }

        var combined = new byte[Math.Min(MaxOutput, result.Stdout.Length + result.Stderr.Length)];
        var n = Math.Min(result.Stdout.Length, combined.Length);
        result.Stdout.AsSpan(0, n).CopyTo(combined);
        result.Stderr.AsSpan(0, Math.Min(result.Stderr.Length, combined.Length - n)).CopyTo(combined.AsSpan(n));
        var output = Encoding.UTF8.GetString(combined);
        return new ProbeOutcome(result.ExitCode == 0 ? ProbeResult.Success : ProbeResult.Failure, output);
    }
}
