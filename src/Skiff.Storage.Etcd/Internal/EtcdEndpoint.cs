using Grpc.Net.Client;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd.Internal;

/// <summary>
/// One etcd member: its URL and one HTTP/2 connection that multiplexes every call to it (unary calls and watch streams),
/// as one etcd client does (a sibling connection opens only past the server's concurrent-stream limit). The channel
/// reconnects by itself after a failure.
/// </summary>
/// <remarks>
/// More connections per member (unary calls taken in turn over N, watches on their own) were measured against this one
/// in issue 20 and gave no gain beyond the noise: one connection carries 10,000 puts/s here (docs/storage.md).
/// </remarks>
internal sealed class EtcdEndpoint : IDisposable
{
    private readonly GrpcChannel _channel;

    public EtcdEndpoint(Uri uri, EtcdOptions options)
    {
        Uri = uri;
        _channel = Open(uri, options);
        Kv = new KV.KVClient(_channel);
        Watch = new Watch.WatchClient(_channel);
        Maintenance = new Maintenance.MaintenanceClient(_channel);
    }

    public Uri Uri { get; }

    public KV.KVClient Kv { get; }

    public Watch.WatchClient Watch { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public void Dispose() => _channel.Dispose();

    public override string ToString() => Uri.ToString();

    private static GrpcChannel Open(Uri uri, EtcdOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.DialTimeout,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            ThrowOperationCanceledOnCancellation = true,
        });
    }
}
