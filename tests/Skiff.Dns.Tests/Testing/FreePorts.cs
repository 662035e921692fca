using System.Net;
using System.Net.Sockets;

namespace Skiff.Dns.Tests.Testing;

internal static class FreePorts
{
    /// <summary>A loopback port free for UDP and TCP at the moment of the call.</summary>
    public static int Both()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Try another.
            }
        }
    }
}
