using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>
/// CVE-2018-1002105: an upgrade request the backend refuses (any answer but 101) is passed back to the client as a
/// normal response, and the backend connection is closed, never reused for another request. Driven through
/// <c>services/NAME:PORT/proxy</c> against a raw TCP backend that refuses every upgrade and keeps its side open.
/// </summary>
public sealed class UpgradeGuardTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>, IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _service = "refuse-" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<TaskCompletionSource> _closed = [];
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;
    private Task _serve = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serve = ServeAsync(_stop.Token);
        await LoopbackService.CreateAsync(f.Cp, _service, port);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serve.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    [Fact]
    public async Task RefusedUpgrade_IsPassedBack_AndTheBackendConnectionIsClosed_NeverReused()
    {
        for (var i = 1; i <= 2; i++)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/default/services/{_service}:8080/proxy/upgrade");
            req.Headers.Connection.Add("Upgrade");
            req.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
            req.Headers.Add("Sec-WebSocket-Version", "13");
            req.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
            using var resp = await f.Cp.Client.SendAsync(req);
            Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
            Assert.Equal("refused upgrade", await resp.Content.ReadAsStringAsync());

            // The proxy closed its side of the refused connection (the backend's read ends), and the next upgrade
            // arrives on a connection of its own.
            Task closed;
            lock (_closed)
            {
                Assert.Equal(i, _accepted);
                closed = _closed[i - 1].Task;
            }

            await closed.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_closed)
            {
                _accepted++;
                _closed.Add(closed);
            }

            _ = RefuseAsync(client, closed, ct);
        }
    }

    /// <summary>Answers every request on the connection with 403 (keep-alive), and signals when the peer closes.</summary>
    private static async Task RefuseAsync(TcpClient client, TaskCompletionSource closed, CancellationToken ct)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var head = new StringBuilder();
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer, ct)) > 0)
                {
                    head.Append(Encoding.Latin1.GetString(buffer, 0, n));
                    if (head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        head.Clear();
                        var body = "refused upgrade"u8.ToArray();
                        var answer = $"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: keep-alive\r\n\r\n";
                        await stream.WriteAsync(Encoding.Latin1.GetBytes(answer), ct);
                        await stream.WriteAsync(body, ct);
                        await stream.FlushAsync(ct);
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // Reset or stopped: closed too.
            }

            closed.TrySetResult();
        }
    }
}
