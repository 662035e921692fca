using Grpc.Net.Client;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd.Internal;

/// <summary>
/// One etcd member: its URL, <see cref="EtcdOptions.Connections"/> HTTP/2 connections for unary calls (taken in turn)
/// and, with <see cref="EtcdOptions.DedicatedWatchConnection"/>, one more that carries only watch streams. Each channel
/// reconnects by itself after a failure.
/// </summary>
internal sealed class EtcdEndpoint : IDisposable
{
    private readonly GrpcChannel[] _channels;
    private readonly KV.KVClient[] _kv;
    private uint _next;

    public EtcdEndpoint(Uri uri, EtcdOptions options)
    {
        Uri = uri;
        var unary = Math.Max(1, options.Connections);
        _channels = new GrpcChannel[unary + (options.DedicatedWatchConnection ? 1 : 0)];
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = Open(uri, options);
        }

        _kv = _channels.Take(unary).Select(c => new KV.KVClient(c)).ToArray();
        Watch = new Watch.WatchClient(_channels[^1]);
        Maintenance = new Maintenance.MaintenanceClient(_channels[0]);
    }

    public Uri Uri { get; }

    /// <summary>A KV client on the next unary connection (round robin).</summary>
    public KV.KVClient Kv => _kv.Length == 1 ? _kv[0] : _kv[(int)(Interlocked.Increment(ref _next) % (uint)_kv.Length)];

    public Watch.WatchClient Watch { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

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
