using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.Api.Errors;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class KubeletProxy
{
    /// <summary>The sub-protocol prefix of SPDY tunnelled through a WebSocket (upstream <c>WebsocketsSPDYTunnelingPrefix</c>).</summary>
    public const string SpdyTunnelPrefix = "SPDY/3.1+";

    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>
    /// Whether <paramref name="request"/> is kubectl's port-forward over WebSocket (feature PortForwardWebsockets): a
    /// WebSocket upgrade offering <c>SPDY/3.1+portforward.k8s.io</c>.
    /// </summary>
    public static bool IsSpdyTunnelRequest(HttpRequest request) =>
        request.Headers.Upgrade.Any(u => u?.Equals("websocket", StringComparison.OrdinalIgnoreCase) == true)
        && TunnelProtocols(request).Any();

    /// <summary>
    /// Upstream's <c>TunnelingHandler</c> (apiserver <c>util/proxy/streamtunnel.go</c>): the client speaks SPDY inside
    /// WebSocket binary messages; the kubelet is sent a plain SPDY/3.1 upgrade for the same protocols on a new
    /// connection and its answer read first. Only after its 101 is the client's WebSocket accepted, with the tunnelled
    /// form of the protocol the kubelet chose, and the bytes relayed: each WebSocket message's payload to the kubelet,
    /// each read from the kubelet as one binary message. Any other answer is returned as a normal response
    /// (CVE-2018-1002105).
    /// </summary>
    public async Task TunnelAsync(HttpContext ctx, Uri url, CancellationToken ct)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        var key = ctx.Request.Headers["Sec-WebSocket-Key"].ToString();
        if (upgrade is null || !upgrade.IsUpgradableRequest || key.Length == 0)
        {
            throw StatusErrors.BadRequest("Upgrade request required");
        }

        var offered = TunnelProtocols(ctx.Request).ToList();
        using var tcp = new TcpClient { NoDelay = true };
        var ssl = await DialAsync(tcp, url, presentCertificate: true, verify: null, serverName: null, ct).ConfigureAwait(false);
        await using (ssl.ConfigureAwait(false))
        {
            var head = new StringBuilder()
                .Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(url.Authority).Append("\r\n")
                .Append("Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n");
            foreach (var p in offered)
            {
                head.Append("X-Stream-Protocol-Version: ").Append(p).Append("\r\n");
            }

            await ssl.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()), ct).ConfigureAwait(false);
            await ssl.FlushAsync(ct).ConfigureAwait(false);
            var (status, headers, rest) = await ReadHeadAsync(ssl, ct).ConfigureAwait(false);
            if (status != StatusCodes.Status101SwitchingProtocols)
            {
                var body = await ReadBodyAsync(ssl, headers, rest, ct).ConfigureAwait(false);
                throw FromBackend(status, Encoding.UTF8.GetString(body));
            }

            var chosen = headers.FirstOrDefault(h => h.Name.Equals("X-Stream-Protocol-Version", StringComparison.OrdinalIgnoreCase)).Value ?? offered[0];
            var subProtocol = SpdyTunnelPrefix + chosen;
            ctx.Response.Headers.Upgrade = "websocket";
            ctx.Response.Headers.Connection = "Upgrade";
            ctx.Response.Headers["Sec-WebSocket-Accept"] = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
            ctx.Response.Headers["Sec-WebSocket-Protocol"] = subProtocol;
            var stream = await upgrade.UpgradeAsync().ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
                {
                    // The sub-protocol was answered in the handshake above; .NET refuses '/' in SubProtocol.
                    IsServer = true,
                    KeepAliveInterval = TimeSpan.FromSeconds(30),
                });
                if (rest.Length > 0)
                {
                    await ws.SendAsync(rest, WebSocketMessageType.Binary, endOfMessage: true, ct).ConfigureAwait(false);
                }

                using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var up = MessagesToStreamAsync(ws, ssl, done.Token);
                var down = StreamToMessagesAsync(ssl, ws, done.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await done.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The client's WebSocket sub-protocols that tunnel SPDY, without the prefix, in its order.</summary>
    private static IEnumerable<string> TunnelProtocols(HttpRequest request) =>
        request.Headers["Sec-WebSocket-Protocol"]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.StartsWith(SpdyTunnelPrefix, StringComparison.Ordinal) && p.Length > SpdyTunnelPrefix.Length)
            .Select(p => p[SpdyTunnelPrefix.Length..]);

    private static async Task MessagesToStreamAsync(WebSocket from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var result = await from.ReceiveAsync(buffer, ct).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, result.Count), ct).ConfigureAwait(false);
                await to.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away: the relay ends.
        }
    }

    private static async Task StreamToMessagesAsync(Stream from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, endOfMessage: true, ct).ConfigureAwait(false);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await to.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away: the relay ends.
        }
    }
}
