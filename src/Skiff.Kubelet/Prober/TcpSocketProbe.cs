using System.Net.Sockets;

namespace Skiff.Kubelet.Prober;

/// <summary>A tcpSocket probe (upstream <c>pkg/probe/tcp</c>): success when a connection opens within the timeout, else a
/// failure carrying Go's dial error text.</summary>
internal static class TcpSocketProbe
{
    public static async Task<ProbeOutcome> RunAsync(string host, int port, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var address = GoNetErrors.JoinHostPort(host, port);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var client = new TcpClient(host.Contains(':', StringComparison.Ordinal) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        try
        {
            await client.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
            return new ProbeOutcome(ProbeResult.Success, string.Empty);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new ProbeOutcome(ProbeResult.Failure, $"dial tcp {address}: i/o timeout");
        }
        catch (SocketException e)
        {
            return new ProbeOutcome(ProbeResult.Failure, GoNetErrors.Dial(address, e));
        }
    }
}
