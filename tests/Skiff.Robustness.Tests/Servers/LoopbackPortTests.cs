using System.Net;
using System.Net.Sockets;
using Skiff.Robustness.Servers;
using Xunit;

namespace Skiff.Robustness.Tests.Servers;

public sealed class LoopbackPortTests
{
    [Fact]
    public async Task Free_IsClosedToConnect_AndFreeToBind()
    {
        var port = LoopbackPort.Free();
        Assert.InRange(port, 1, 65535);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using (var client = new TcpClient())
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port, cts.Token).AsTask());
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.Equal(port, ((IPEndPoint)listener.LocalEndpoint).Port);
    }
}
