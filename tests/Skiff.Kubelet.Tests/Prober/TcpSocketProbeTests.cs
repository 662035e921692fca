using System.Net;
using System.Net.Sockets;
using Skiff.Kubelet.Prober;
using Xunit;

namespace Skiff.Kubelet.Tests.Prober;

public sealed class TcpSocketProbeTests
{
    [Fact]
    public async Task RunAsync_ListeningPort_IsSuccess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var outcome = await TcpSocketProbe.RunAsync("127.0.0.1", port, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);
        Assert.Equal(ProbeResult.Success, outcome.Result);
    }

    [Fact]
    public async Task RunAsync_ClosedPort_IsFailureWithGosDialError()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var outcome = await TcpSocketProbe.RunAsync("127.0.0.1", port, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal($"dial tcp 127.0.0.1:{port}: connect: connection refused", outcome.Output);
    }
}
