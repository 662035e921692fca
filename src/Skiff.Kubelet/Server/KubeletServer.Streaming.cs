using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Skiff.Kubelet.Server;

public sealed partial class KubeletServer
{
    /// <summary>
    /// <c>/exec/{ns}/{pod}[/{uid}]/{container}?command=…&amp;input=1&amp;output=1&amp;error=1&amp;tty=1</c> and
    /// <c>/attach/…</c> over WebSocket (<see cref="ChannelProtocol"/>): the runtime's streaming URL is asked for and
    /// dialled first (so a failure is an HTTP error, not a broken stream), then the client's WebSocket is accepted with
    /// the protocol it offered and messages are relayed both ways. The runtime is offered the client's protocol; a v5
    /// client on a runtime that only speaks v4 (containerd 1.6/1.7) is relayed as v4 when it sends no stdin; with stdin
    /// it is declined (400) before the runtime is dialled, so kubectl falls back to SPDY, which ends stdin properly. kubectl uses SPDY only when the
    /// WebSocket handshake fails; an SPDY upgrade (<c>X-Stream-Protocol-Version</c> v4…v1) is relayed to
    /// the runtime unchanged (<see cref="RuntimeUpgradeRelay"/>).
    /// </summary>
    private async Task StreamAsync(HttpContext ctx, string verb, string ns, string podName, string container, CancellationToken ct)
    {
        var spdy = !ctx.WebSockets.IsWebSocketRequest;
        if (spdy && !ctx.Request.Headers.Upgrade.Any(u => u?.StartsWith("SPDY/", StringComparison.OrdinalIgnoreCase) == true))
        {
            throw new KubeletRequestException(400, "Upgrade request required");
        }

        var q = ctx.Request.Query;
        var stdin = q["input"].ToString() == "1";
        var stdout = q["output"].ToString() == "1";
        var stderr = q["error"].ToString() == "1";
        var tty = q["tty"].ToString() == "1";
        var command = q["command"].Where(c => c is not null).Select(c => c!).ToList();
        if (verb == "exec" && command.Count == 0)
        {
            throw new KubeletRequestException(400, "you must specify at least 1 command");
        }

        if (!stdin && !stdout && !stderr)
        {
            throw new KubeletRequestException(400, "you must specify at least 1 of stdin, stdout, stderr");
        }

        var pod = FindPod(ns, podName);
        if (!pod.Containers.TryGetValue(container, out var containerId))
        {
            throw new KubeletRequestException(404, $"container not found (\"{container}\")");
        }

        if (containerId is null)
        {
            throw new KubeletRequestException(400, $"container not found (\"{container}\")");
        }

        var protocol = spdy ? "" : ChannelProtocol.Negotiate(ctx.WebSockets.WebSocketRequestedProtocols)
            ?? throw new KubeletRequestException(400, "no supported channel.k8s.io protocol offered");
        if (!spdy && stdin && protocol == ChannelProtocol.V5 && !_options.Runtime.StreamingSupportsClose)
        {
            // A v4 runtime cannot end the command's stdin over WebSocket, and a v5 client (kubectl) relies on it. Decline
            // before the runtime starts anything: kubectl treats a refused WebSocket handshake as an upgrade failure and
            // retries over SPDY, whose per-stream half-close the runtime honours (upstream reaches the same end by
            // translating v5 to SPDY in the API server).
            throw new KubeletRequestException(400, $"{verb} with stdin over {ChannelProtocol.V5} needs a runtime that can close stdin; use SPDY/3.1");
        }

        var url = verb == "exec"
            ? await _options.Runtime.ExecUrlAsync(containerId, command, tty, stdin, stdout, stderr, ct).ConfigureAwait(false)
            : await _options.Runtime.AttachUrlAsync(containerId, tty, stdin, stdout, stderr, ct).ConfigureAwait(false);
        if (spdy)
        {
            // kubectl's fallback when the WebSocket upgrade fails, and older clients: SPDY/3.1 streams, which the
            // runtime's streaming server speaks; relayed byte for byte as upstream's kubelet does.
            await RuntimeUpgradeRelay.RelayAsync(ctx, url, ct).ConfigureAwait(false);
            return;
        }

        using var runtime = new ClientWebSocket();
        runtime.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        foreach (var p in protocol == ChannelProtocol.V5 ? new[] { ChannelProtocol.V5, ChannelProtocol.V4 } : [protocol])
        {
            runtime.Options.AddSubProtocol(p);
        }

        try
        {
            await runtime.ConnectAsync(WebSocketUri(url), ct).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new KubeletRequestException(500, $"error dialing the runtime's streaming server: {e.Message}");
        }

        var passClose = runtime.SubProtocol == ChannelProtocol.V5;
        using var client = await ctx.WebSockets.AcceptWebSocketAsync(protocol).ConfigureAwait(false);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = RelayAsync(client, runtime, dropClose: !passClose, done.Token);
        var down = RelayAsync(runtime, client, dropClose: false, done.Token);
        var first = await Task.WhenAny(up, down).ConfigureAwait(false);
        if (first == up)
        {
            // The client left: stop the runtime side too.
            await CloseQuietlyAsync(runtime, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
        }

        // Each relay passed the close on; let the other side answer it (cancelling a receive aborts the socket and
        // could drop the last frames), within a bound.
        await Task.WhenAny(Task.WhenAll(up, down), Task.Delay(CloseGrace, ct)).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    /// <summary>How long a finished stream waits for the other side's close.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>/portForward/{ns}/{pod}[/{uid}]</c> (upstream <c>getPortForward</c>): the pod's sandbox is asked for its
    /// runtime streaming URL (CRI <c>PortForward</c>) and the client's upgrade (SPDY/3.1 <c>portforward.k8s.io</c>, or the
    /// older WebSocket protocol) is relayed to it unchanged (<see cref="RuntimeUpgradeRelay"/>); the runtime enters the
    /// pod's network namespace and connects to each requested port. 404 for an unknown pod, 400 before the sandbox exists.
    /// </summary>
    private async Task PortForwardAsync(HttpContext ctx, string ns, string podName, CancellationToken ct)
    {
        var pod = FindPod(ns, podName);
        if (pod.SandboxId is null)
        {
            throw new KubeletRequestException(400, $"pod \"{podName}\" has no sandbox yet");
        }

        var ports = ctx.Request.Query["port"].Select(p => int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1).ToList();
        if (ports.Any(p => p is <= 0 or > 65535))
        {
            throw new KubeletRequestException(400, "invalid port");
        }

        var url = await _options.Runtime.PortForwardUrlAsync(pod.SandboxId, ports, ct).ConfigureAwait(false);
        await RuntimeUpgradeRelay.RelayAsync(ctx, url, ct).ConfigureAwait(false);
    }

    /// <summary>Copies messages from <paramref name="from"/> to <paramref name="to"/> until <paramref name="from"/> closes.</summary>
    private async Task RelayAsync(WebSocket from, WebSocket to, bool dropClose, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await from.ReceiveAsync(buffer, ct).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync(to, from.CloseStatus ?? WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.ToArray();
                message.SetLength(0);
                if (dropClose && ChannelProtocol.IsClose(bytes, out var stream))
                {
                    LogCloseDropped(_logger, stream);
                    continue;
                }

                await to.SendAsync(bytes, result.MessageType, endOfMessage: true, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Either side went away: the relay ends.
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }

    private static Uri WebSocketUri(Uri url) => new UriBuilder(url) { Scheme = url.Scheme == "https" ? "wss" : url.Scheme == "http" ? "ws" : url.Scheme }.Uri;

    [LoggerMessage(Level = LogLevel.Debug, Message = "the runtime speaks v4: the client's close of stream {Stream} is not passed on")]
    private static partial void LogCloseDropped(ILogger logger, byte stream);
}
