using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Skiff.Proxy.Health;

/// <summary>
/// The healthCheckNodePort servers of externalTrafficPolicy Local services (upstream's <c>pkg/proxy/healthcheck</c>
/// service health server): on each port, any HTTP request answers 200 while the node has local endpoints for the
/// service and 503 otherwise, with <c>{"service":{"namespace":…,"name":…},"localEndpoints":N,"serviceProxyHealthy":true}</c>
/// and <c>X-Load-Balancing-Endpoint-Weight</c>, so an external load balancer only sends traffic to nodes with endpoints.
/// </summary>
public sealed partial class ServiceHealthServer(ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, Listener> _listeners = new();

    /// <summary>Starts, updates and stops listeners so exactly <paramref name="services"/> (port → service, local endpoint count) are served.</summary>
    public async Task SyncAsync(IReadOnlyDictionary<int, (string Namespace, string Name, int LocalEndpoints)> services)
    {
        foreach (var (port, listener) in _listeners)
        {
            if (!services.ContainsKey(port) && _listeners.TryRemove(port, out _))
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }

        foreach (var (port, service) in services)
        {
            if (_listeners.TryGetValue(port, out var existing))
            {
                existing.State = service;
                continue;
            }

            try
            {
                var socket = new TcpListener(IPAddress.Any, port);
                socket.Start();
                var listener = new Listener(socket) { State = service };
                _listeners[port] = listener;
                listener.Loop = Task.Run(() => listener.ServeAsync());
            }
            catch (SocketException e)
            {
                LogCannotListen(logger, port, service.Namespace, service.Name, e.Message);
            }
        }
    }

    /// <summary>The ports served now.</summary>
    public IReadOnlyCollection<int> Ports => [.. _listeners.Keys];

    public async ValueTask DisposeAsync()
    {
        foreach (var port in _listeners.Keys)
        {
            if (_listeners.TryRemove(port, out var l))
            {
                await l.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot serve healthCheckNodePort {Port} of {Namespace}/{Name}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, int port, string @namespace, string name, string reason);

    private sealed class Listener(TcpListener socket) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public volatile object? Boxed;

        public Task Loop { get; set; } = Task.CompletedTask;

        public (string Namespace, string Name, int LocalEndpoints) State
        {
            get => ((string, string, int))Boxed!;
            set => Boxed = value;
        }

        public async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await socket.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => AnswerAsync(client));
            }
        }

        private async Task AnswerAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    _ = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                    var (ns, name, count) = State;
                    var body = $"{{\"service\":{{\"namespace\":\"{ns}\",\"name\":\"{name}\"}},\"localEndpoints\":{count},\"serviceProxyHealthy\":true}}";
                    var status = count > 0 ? "200 OK" : "503 Service Unavailable";
                    var response = $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n" +
                        $"X-Load-Balancing-Endpoint-Weight: {count}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(response), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    // The client went away.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            socket.Stop();
            await Loop.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
