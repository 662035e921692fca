using Grpc.Net.Client;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd.Internal;

/// <summary>One etcd member: its URL and a multiplexed HTTP/2 channel to it (reconnects by itself after a failure).</summary>
internal sealed class EtcdEndpoint : IDisposable
{
    public EtcdEndpoint(Uri uri, EtcdOptions options)
    {
        Uri = uri;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.DialTimeout,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };
        Channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            ThrowOperationCanceledOnCancellation = true,
        });
        Kv = new KV.KVClient(Channel);
        Watch = new Watch.WatchClient(Channel);
        Maintenance = new Maintenance.MaintenanceClient(Channel);
    }

    public Uri Uri { get; }

    public GrpcChannel Channel { get; }

    public KV.KVClient Kv { get; }

    public Watch.WatchClient Watch { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public void Dispose() => Channel.Dispose();

    public override string ToString() => Uri.ToString();
}
