using System.Net.Sockets;

namespace Skiff.Kubelet.Prober;

/// <summary>Go's <c>net</c> error texts for the failures a probe reports (they reach users in Unhealthy events).</summary>
internal static class GoNetErrors
{
    /// <summary><c>dial tcp HOST:PORT: connect: connection refused</c> and friends.</summary>
    public static string Dial(string address, Exception e)
    {
        var socket = e as SocketException ?? e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        var what = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connect: connection refused",
            SocketError.HostUnreachable => "connect: no route to host",
            SocketError.NetworkUnreachable => "connect: network is unreachable",
            SocketError.TimedOut => "i/o timeout",
            SocketError.HostNotFound or SocketError.NoData => $"lookup {HostOf(address)}: no such host",
            SocketError.ConnectionReset => "read: connection reset by peer",
            _ => socket?.Message ?? e.Message,
        };
        return $"dial tcp {address}: {what}";
    }

    /// <summary>Whether <paramref name="e"/> (or what it wraps) is a socket-level failure, as opposed to a protocol one.</summary>
    public static bool IsSocket(Exception e) => e is SocketException || e.InnerException is SocketException || e.InnerException?.InnerException is SocketException;

    /// <summary>grpc-go's error text, <c>rpc error: code = Unavailable desc = …</c> (Go's code names differ from C#'s only in <c>Canceled</c>).</summary>
    public static string Rpc(Grpc.Core.RpcException e) =>
        $"rpc error: code = {(e.StatusCode == Grpc.Core.StatusCode.Cancelled ? "Canceled" : e.StatusCode.ToString())} desc = {e.Status.Detail}";

    /// <summary><c>host:port</c>, bracketing an IPv6 host (Go's <c>net.JoinHostPort</c>).</summary>
    public static string JoinHostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    private static string HostOf(string address)
    {
        var i = address.LastIndexOf(':');
        return (i > 0 ? address[..i] : address).Trim('[', ']');
    }
}
