using System.Net;
using System.Net.Sockets;

namespace Skiff.Robustness.Servers;

/// <summary>Ports on 127.0.0.1 for the servers a run starts (and for a client that must find nobody listening).</summary>
public static class LoopbackPort
{
    /// <summary>A port nothing listened on a moment ago (the OS's pick, released at once): free to bind, closed to connect.</summary>
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
