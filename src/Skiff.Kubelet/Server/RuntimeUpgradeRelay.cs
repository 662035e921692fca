using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.Api.HttpStream;

namespace Skiff.Kubelet.Server;

/// <summary>
/// Upstream kubelet's <c>proxyStream</c>: an upgrade request (SPDY/3.1 or WebSocket) is passed unchanged to the
/// runtime's streaming server (the URL CRI <c>Exec</c>, <c>Attach</c> or <c>PortForward</c> answered, plain HTTP on
/// loopback) on a new connection; the runtime's answer is read first, and only a 101 switches the client, after which
/// bytes flow both ways until either side closes. Any other answer is passed back as a normal response and the runtime
/// connection closed (CVE-2018-1002105: a connection whose upgrade failed is never reused).
/// </summary>
internal static class RuntimeUpgradeRelay
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>The request headers that take part in a streaming upgrade and are passed to the runtime.</summary>
    private static readonly string[] UpgradeHeaders = ["Connection", "Upgrade", "X-Stream-Protocol-Version", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Origin"];

    /// <summary>Relays <paramref name="ctx"/>'s upgrade to <paramref name="runtimeUrl"/> (its query appended to the runtime's).</summary>
    public static async Task RelayAsync(HttpContext ctx, Uri runtimeUrl, CancellationToken ct)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest)
        {
            throw new KubeletRequestException(400, "Upgrade request required");
        }

        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(runtimeUrl.IdnHost, runtimeUrl.Port, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new KubeletRequestException(500, $"error dialing the runtime's streaming server: {e.Message}");
        }

        var backend = tcp.GetStream();
        var query = ctx.Request.QueryString.HasValue
            ? (string.IsNullOrEmpty(runtimeUrl.Query) ? ctx.Request.QueryString.Value : "&" + ctx.Request.QueryString.Value![1..])
            : "";
        await backend.WriteAsync(RequestHead(ctx.Request, runtimeUrl, runtimeUrl.PathAndQuery + query), ct).ConfigureAwait(false);
        var (status, headers, rest) = await ReadHeadAsync(backend, ct).ConfigureAwait(false);
        if (status != StatusCodes.Status101SwitchingProtocols)
        {
            var body = await ReadSomeAsync(backend, rest, headers, ct).ConfigureAwait(false);
            throw new KubeletRequestException(status, Encoding.UTF8.GetString(body));
        }

        foreach (var (name, value) in headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !name.Equals("Date", StringComparison.OrdinalIgnoreCase))
            {
                ctx.Response.Headers.Append(name, value);
            }
        }

        var client = await upgrade.UpgradeAsync().ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            // The runtime ending its side ends the stream; the client's end of input is passed on as a half-close and
            // the runtime's answer still flows until it closes.
            await UpgradedStreamRelay.RelayAsync(client, backend, rest, () => tcp.Client.Shutdown(SocketShutdown.Send), ct).ConfigureAwait(false);
        }
    }

    private static byte[] RequestHead(HttpRequest request, Uri url, string pathAndQuery)
    {
        var sb = new StringBuilder();
        sb.Append(request.Method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        sb.Append("Host: ").Append(url.Authority).Append("\r\n");
        foreach (var name in UpgradeHeaders)
        {
            foreach (var v in request.Headers[name])
            {
                sb.Append(name).Append(": ").Append(v).Append("\r\n");
            }
        }

        return Encoding.Latin1.GetBytes(sb.Append("\r\n").ToString());
    }

    /// <summary>Reads a response head; returns its status, headers and the bytes read past it.</summary>
    internal static async Task<(int Status, List<(string Name, string Value)> Headers, byte[] Leftover)> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = await Skiff.Api.HttpStream.HttpResponseHead.ReadAsync(stream, MaxHeadBytes, failure => new KubeletRequestException(500, failure switch
        {
            Skiff.Api.HttpStream.HttpResponseHead.Failure.Malformed => "the runtime's streaming server sent a malformed response",
            Skiff.Api.HttpStream.HttpResponseHead.Failure.TooLarge => "the runtime's streaming server sent a response head that is too large",
            _ => "the runtime's streaming server closed the connection before a response",
        }), ct).ConfigureAwait(false);
        return (head.Status, head.Headers, head.Leftover);
    }

    /// <summary>Up to <see cref="MaxErrorBody"/> bytes of a non-101 answer's body (by Content-Length, else to the end).</summary>
    private static async Task<byte[]> ReadSomeAsync(Stream stream, byte[] rest, List<(string Name, string Value)> headers, CancellationToken ct)
    {
        var raw = new MemoryStream();
        raw.Write(rest);
        var length = headers.FirstOrDefault(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        long want = long.TryParse(length, CultureInfo.InvariantCulture, out var l) ? Math.Min(l, MaxErrorBody) : MaxErrorBody;
        var buffer = new byte[8192];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            int n;
            while (raw.Length < want && (n = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                raw.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // What arrived is the message.
        }

        var bytes = raw.ToArray();
        return bytes.Length > want ? bytes[..(int)want] : bytes;
    }
}
