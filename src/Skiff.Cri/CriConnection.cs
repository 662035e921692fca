using System.Net.Sockets;
using Grpc.Net.Client;
using Skiff.Cri.V1;

namespace Skiff.Cri;

/// <summary>
/// A CRI v1 client connection (the kubelet's <c>remote.NewRemoteRuntimeService</c>/<c>NewRemoteImageService</c>):
/// one HTTP/2 gRPC channel over the runtime's unix socket, carrying both the RuntimeService and the ImageService.
/// Thread-safe; dispose to close the channel.
/// </summary>
public sealed class CriConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    private CriConnection(GrpcChannel channel)
    {
        _channel = channel;
        Runtime = new RuntimeService.RuntimeServiceClient(channel);
        Images = new ImageService.ImageServiceClient(channel);
    }

    /// <summary>The runtime service (sandboxes, containers, exec, status).</summary>
    public RuntimeService.RuntimeServiceClient Runtime { get; }

    /// <summary>The image service (list, status, pull, remove).</summary>
    public ImageService.ImageServiceClient Images { get; }

    /// <summary>The socket path this connection dials.</summary>
    public required string SocketPath { get; init; }

    /// <summary>
    /// Connects lazily to <paramref name="endpoint"/>, <c>unix:///run/containerd/containerd.sock</c> or a bare path
    /// (the kubelet's <c>--container-runtime-endpoint</c>). Nothing is dialled until the first call.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is not a unix socket.</exception>
    public static CriConnection Connect(string endpoint)
    {
        var path = SocketPathOf(endpoint);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            EnableMultipleHttp2Connections = true,
        };
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        return new CriConnection(channel) { SocketPath = path };
    }

    /// <summary>The socket path of <c>unix:///path</c> or <c>/path</c>.</summary>
    /// <exception cref="ArgumentException">Any other scheme.</exception>
    public static string SocketPathOf(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            return endpoint["unix://".Length..];
        }

        if (endpoint.StartsWith('/'))
        {
            return endpoint;
        }

        throw new ArgumentException($"unsupported container runtime endpoint \"{endpoint}\": only unix sockets are supported", nameof(endpoint));
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
