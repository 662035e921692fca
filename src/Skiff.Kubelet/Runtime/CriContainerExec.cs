using Grpc.Core;
using Skiff.Cri;
using Skiff.Cri.V1;
using Skiff.Kubelet.Prober;

namespace Skiff.Kubelet.Runtime;

/// <summary><see cref="IContainerExec"/> on CRI <c>ExecSync</c>: a timeout is a result with exit code -1, not an exception.</summary>
public sealed class CriContainerExec(CriConnection cri) : IContainerExec
{
    /// <inheritdoc />
    public async Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken ct)
    {
        var request = new ExecSyncRequest { ContainerId = containerId, Timeout = (long)Math.Ceiling(timeout.TotalSeconds) };
        request.Cmd.AddRange(command);
        try
        {
            // The runtime enforces the timeout; the gRPC deadline is a backstop a little after it.
            var r = await cri.Runtime.ExecSyncAsync(request, deadline: DateTime.UtcNow + timeout + TimeSpan.FromSeconds(5), cancellationToken: ct).ConfigureAwait(false);
            return new ExecResult(r.ExitCode, r.Stdout.ToByteArray(), r.Stderr.ToByteArray());
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded || e.Status.Detail.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            return new ExecResult(-1, [], System.Text.Encoding.UTF8.GetBytes($"command timed out after {timeout.TotalSeconds:0.###}s"), TimedOut: true);
        }
    }
}
