using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Server;

/// <summary>
/// Port-forward's upgrade path, client → API server <c>pods/portforward</c> → kubelet <c>/portForward</c> → the runtime's
/// streaming URL, with a scripted runtime on 127.0.0.1: on 101 the bytes flow both ways unchanged (the SPDY session is
/// the client's and the runtime's), the API server's <c>ports</c> reach the runtime as <c>port</c>; a runtime that
/// refuses is passed back as a plain HTTP answer and the client is never switched (CVE-2018-1002105).
/// </summary>
public sealed class KubeletServerPortForwardTests : IAsyncLifetime
{
    private readonly TcpListener _runtime = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<string> _requestLines = new();
    private StreamingHarness _h = null!;
    private Task _serve = Task.CompletedTask;

    /// <summary>Whether the scripted runtime accepts the upgrade.</summary>
    private volatile bool _accept = true;

    public async Task InitializeAsync()
    {
        _h = await StreamingHarness.StartAsync();
        _runtime.Start();
        _serve = ServeAsync();
        _h.Runtime.StreamingBase = new Uri($"http://127.0.0.1:{((IPEndPoint)_runtime.LocalEndpoint).Port}");
        await _h.CreatePodAsync("pf", "app");
    }

    public async Task DisposeAsync()
    {
        _runtime.Stop();
        await _serve.ContinueWith(_ => { }, TaskScheduler.Default);
        await _h.DisposeAsync();
    }

    [Fact]
    public async Task SpdyUpgrade_IsRelayedToTheRuntime_BytesBothWays()
    {
        await using var conn = await ApiServerAsync();
        var (status, head) = await UpgradeAsync(conn, "/api/v1/namespaces/default/pods/pf/portforward?ports=8080");
        Assert.Equal(101, status);
        Assert.Contains("X-Stream-Protocol-Version: portforward.k8s.io", head, StringComparison.OrdinalIgnoreCase);
        var request = Assert.Single(_requestLines);
        Assert.StartsWith("POST /portforward/sandbox-pf?port=8080 HTTP/1.1", request, StringComparison.Ordinal);

        await conn.WriteAsync("frame-bytes"u8.ToArray());
        await conn.FlushAsync();
        var echoed = new byte[11];
        await conn.ReadExactlyAsync(echoed).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("frame-bytes", Encoding.ASCII.GetString(echoed));
    }

    [Fact]
    public async Task WebSocketTunnelledSpdy_BecomesASpdyUpgradeToTheKubelet_MessagesCarryTheBytes()
    {
        await using var conn = await ApiServerAsync();
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var request = "GET /api/v1/namespaces/default/pods/pf/portforward?ports=80 HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n";
        await conn.WriteAsync(Encoding.ASCII.GetBytes(request));
        await conn.FlushAsync();
        var head = await ReadHeadAsync(conn);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io", head, StringComparison.OrdinalIgnoreCase);
        var accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        Assert.Contains("Sec-WebSocket-Accept: " + accept, head, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("POST /portforward/sandbox-pf?port=80 HTTP/1.1", Assert.Single(_requestLines), StringComparison.Ordinal);

        using var ws = System.Net.WebSockets.WebSocket.CreateFromStream(conn, new System.Net.WebSockets.WebSocketCreationOptions { IsServer = false });
        await ws.SendAsync("spdy-frame"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Binary, true, default);
        var received = new MemoryStream();
        var buffer = new byte[64];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (received.Length < 10)
        {
            var r = await ws.ReceiveAsync(buffer, cts.Token);
            Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Binary, r.MessageType);
            received.Write(buffer, 0, r.Count);
        }

        Assert.Equal("spdy-frame", Encoding.ASCII.GetString(received.ToArray()));
    }

    [Fact]
    public async Task RuntimeRefusal_IsAPlainAnswer_NeverASwitch()
    {
        _accept = false;
        await using var conn = await ApiServerAsync();
        var (status, head) = await UpgradeAsync(conn, "/api/v1/namespaces/default/pods/pf/portforward");
        Assert.Equal(404, status);
        Assert.DoesNotContain("Upgrade: SPDY", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("no such session", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPod_Is404FromTheApiServer()
    {
        await using var conn = await ApiServerAsync();
        var (status, _) = await UpgradeAsync(conn, "/api/v1/namespaces/default/pods/nope/portforward");
        Assert.Equal(404, status);
        Assert.Empty(_requestLines);
    }

    /// <summary>A TLS connection to the API server as the admin.</summary>
    private async Task<SslStream> ApiServerAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_h.Cp.BaseAddress.Host, _h.Cp.BaseAddress.Port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _h.Cp.BaseAddress.Host,
            ClientCertificates = new X509CertificateCollection { _h.Cp.Host.Certificates.Admin },
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return ssl;
    }

    /// <summary>Sends kubectl's SPDY port-forward upgrade; returns the status and everything read with the head.</summary>
    private static async Task<(int Status, string Head)> UpgradeAsync(Stream conn, string path)
    {
        var request = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n";
        await conn.WriteAsync(Encoding.ASCII.GetBytes(request));
        await conn.FlushAsync();
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await conn.ReadAsync(buffer, cts.Token);
            Assert.True(n > 0, "connection closed before a response: " + text);
            text.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        var head = text.ToString();
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            // Read the (short) body too.
            try
            {
                using var bodyCts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                int n;
                while (!head.Contains("no such session", StringComparison.Ordinal) && (n = await conn.ReadAsync(buffer, bodyCts.Token)) > 0)
                {
                    head += Encoding.Latin1.GetString(buffer, 0, n);
                }
            }
            catch (OperationCanceledException)
            {
                // What arrived is the answer.
            }
        }

        return (int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head);
    }

    /// <summary>Reads one response head byte by byte (nothing past it).</summary>
    private static async Task<string> ReadHeadAsync(Stream conn)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await conn.ReadAsync(one, cts.Token);
            Assert.True(n > 0, "connection closed before a response: " + head);
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    /// <summary>The scripted runtime: records each request line; answers 101 and echoes, or 404.</summary>
    private async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _runtime.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var buffer = new byte[16 * 1024];
                    var head = new StringBuilder();
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await stream.ReadAsync(buffer);
                        if (n == 0)
                        {
                            return;
                        }

                        head.Append(Encoding.Latin1.GetString(buffer, 0, n));
                    }

                    _requestLines.Enqueue(head.ToString().Split("\r\n")[0]);
                    if (!_accept)
                    {
                        await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n\r\nno such session"u8.ToArray());
                        return;
                    }

                    await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n"u8.ToArray());
                    int read;
                    while ((read = await stream.ReadAsync(buffer)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, read));
                    }
                }
            });
        }
    }
}
