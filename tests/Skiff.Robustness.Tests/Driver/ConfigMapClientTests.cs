using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Skiff.Robustness.Driver;
using Skiff.Robustness.History;
using Skiff.Robustness.Servers;
using Xunit;

namespace Skiff.Robustness.Tests.Driver;

/// <summary>
/// What a failed request proves, against a server that reads a request, carries it out and "dies" (closes the
/// connection unanswered and stops listening) — what the kill tests do to skiff with SIGKILL.
/// </summary>
public sealed class ConfigMapClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Handler_RetriesABodylessRequestAPooledConnectionDropped_SoConnectionRefusedDoesNotProveItWasNotSent()
    {
        // The premise of the fix: SocketsHttpHandler retries a request without a body on a new connection when a
        // pooled one ends before any response byte; the caller sees only the retry's error.
        using var cts = new CancellationTokenSource(Deadline);
        await using var server = DyingServer.Start(cts.Token);
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = server.Url };
        using (var first = await http.GetAsync(new Uri(Path, UriKind.Relative), cts.Token))
        {
            await first.Content.ReadAsByteArrayAsync(cts.Token);
        }

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => http.DeleteAsync(new Uri(Path, UriKind.Relative), cts.Token));
        Assert.Equal("DELETE " + Path, await server.Executed.WaitAsync(cts.Token));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);
    }

    [Fact]
    public async Task Delete_CarriedOutByAServerKilledBeforeAnswering_IsUnknown_NotNotSent()
    {
        using var cts = new CancellationTokenSource(Deadline);
        await using var server = DyingServer.Start(cts.Token);
        using var connection = ApiConnection.Create(server.Url, new SocketsHttpHandler());
        var client = new ConfigMapClient(connection, "ns", Deadline);
        Assert.Equal(Outcome.Ok, (await client.GetAsync("k5", cts.Token)).Outcome);

        var delete = await client.DeleteAsync("k5", null, cts.Token);

        Assert.Equal("DELETE " + Path, await server.Executed.WaitAsync(cts.Token));
        Assert.False(delete.NotSent, delete.Detail);
        Assert.Equal(Outcome.Unknown, delete.Outcome);
    }

    [Fact]
    public async Task Requests_ToAPortNobodyListensOn_AreNotSent()
    {
        using var cts = new CancellationTokenSource(Deadline);
        using var connection = ApiConnection.Create(new Uri($"http://127.0.0.1:{LoopbackPort.Free().ToString(CultureInfo.InvariantCulture)}/"), new SocketsHttpHandler());
        var client = new ConfigMapClient(connection, "ns", Deadline);

        var create = await client.CreateAsync("k5", new ObjectValue("v", "yes"), cts.Token);
        var delete = await client.DeleteAsync("k5", null, cts.Token);
        var get = await client.GetAsync("k5", cts.Token);

        Assert.All([create, delete, get], a => Assert.True(a.NotSent, a.Detail));
        Assert.Contains("body never sent", create.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_WriteWhoseBodyWasSent_IsUnknownWhateverTheFinalError()
    {
        var refused = new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));
        var content = new CountedContent("{}");
        Assert.True(ConfigMapClient.Failed(refused, content).NotSent);

        using var sink = new MemoryStream();
        content.CopyTo(sink, null, CancellationToken.None);
        var answer = ConfigMapClient.Failed(refused, content);

        Assert.Equal(1, content.Sends);
        Assert.False(answer.NotSent);
        Assert.Equal(Outcome.Unknown, answer.Outcome);
    }

    private const string Path = "/api/v1/namespaces/ns/configmaps/k5";

    /// <summary>
    /// One HTTP/1.1 connection: answers the first request (a configmap, keep-alive), reads the second in full, then
    /// stops listening and closes the connection without answering.
    /// </summary>
    private sealed class DyingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly TaskCompletionSource<string> _executed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _serving;

        private DyingServer(TcpListener listener, CancellationToken ct)
        {
            _listener = listener;
            _serving = ServeAsync(ct);
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}/");

        /// <summary>The request line of the request it carried out before dying.</summary>
        public Task<string> Executed => _executed.Task;

        public static DyingServer Start(CancellationToken ct)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new DyingServer(listener, ct);
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }

        private async Task ServeAsync(CancellationToken ct)
        {
            try
            {
                using var socket = await _listener.AcceptSocketAsync(ct);
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                await ReadRequestAsync(stream, ct);
                var body = Encoding.UTF8.GetBytes("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"k5","resourceVersion":"5"},"data":{"value":"v"}}""");
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
                await stream.WriteAsync(head, ct);
                await stream.WriteAsync(body, ct);
                var executed = await ReadRequestAsync(stream, ct);
                _listener.Stop();
                socket.Shutdown(SocketShutdown.Both);
                _executed.TrySetResult(executed);
            }
            catch (Exception ex)
            {
                _executed.TrySetException(ex);
            }
        }

        /// <summary>Reads one request (headers and Content-Length body) and returns its method and path.</summary>
        private static async Task<string> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
        {
            var head = new List<byte>();
            var one = new byte[1];
            while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
            {
                if (await stream.ReadAsync(one, ct) == 0)
                {
                    throw new IOException("the client closed the connection mid-request");
                }

                head.Add(one[0]);
            }

            var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
            var length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
            await stream.ReadExactlyAsync(new byte[length], ct);
            var parts = lines[0].Split(' ');
            return parts[0] + " " + parts[1];
        }
    }
}
