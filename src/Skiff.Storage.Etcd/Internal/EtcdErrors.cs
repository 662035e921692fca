using System.Net.Sockets;
using Grpc.Core;

namespace Skiff.Storage.Etcd.Internal;

/// <summary>Classifies etcd's gRPC errors: which ones another attempt may cure and which prove a write was not applied.</summary>
internal static class EtcdErrors
{
    /// <summary>Errors of the transport or of the cluster's state (no leader, member stopping, timeouts): try another member.</summary>
    public static bool IsRetryable(RpcException ex) => ex.StatusCode is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
        or StatusCode.Cancelled or StatusCode.Aborted or StatusCode.ResourceExhausted;

    /// <summary>
    /// True when the request certainly never reached the state machine: the connection was refused, or etcd rejected
    /// it up front (no leader with <c>hasleader</c> set, too many requests). Anything else is an unknown outcome.
    /// </summary>
    public static bool CertainlyNotApplied(RpcException ex)
    {
        if (ex.StatusCode == StatusCode.ResourceExhausted)
        {
            return true;
        }

        if (ex.StatusCode == StatusCode.Unavailable && ex.Status.Detail.Contains("etcdserver: no leader", StringComparison.Ordinal))
        {
            return true;
        }

        for (var inner = ex.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsCompacted(RpcException ex) =>
        ex.StatusCode == StatusCode.OutOfRange && ex.Status.Detail.Contains("compacted", StringComparison.Ordinal);

    public static bool IsFutureRevision(RpcException ex) =>
        ex.StatusCode == StatusCode.OutOfRange && ex.Status.Detail.Contains("future revision", StringComparison.Ordinal);

    public static string Describe(Exception? ex) => ex switch
    {
        null => "no attempt was made",
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => ex.Message,
    };
}
