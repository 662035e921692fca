using System.Net.Sockets;

namespace Skiff.Api.HttpStream;

/// <summary>
/// The byte relay after an upgrade was switched (upstream apimachinery <c>util/proxy</c>'s upgrade-aware handler,
/// which both the API server's proxy to a kubelet and the kubelet's proxy to the runtime use): the bytes read past the
/// backend's 101 go to the client first, then each side's reads are written (and flushed) to the other until the relay
/// ends. A side going away (I/O error, disposal, cancellation) ends its direction quietly.
/// </summary>
public static class UpgradedStreamRelay
{
    private const int BufferSize = 32 * 1024;

    /// <summary>
    /// Relays between <paramref name="client"/> and <paramref name="backend"/>, after writing <paramref name="leftover"/>
    /// to the client. Without <paramref name="halfCloseBackend"/> either side's end ends the relay (upstream's handler
    /// waits for one half, then closes both); with it, the client's end of input is passed on by calling it (a TCP
    /// half-close) and the backend's answer still flows until the backend ends. Returns once both directions stopped.
    /// </summary>
    public static async Task RelayAsync(Stream client, Stream backend, ReadOnlyMemory<byte> leftover, Action? halfCloseBackend, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(backend);
        if (leftover.Length > 0)
        {
            await client.WriteAsync(leftover, ct).ConfigureAwait(false);
            await client.FlushAsync(ct).ConfigureAwait(false);
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = PumpAsync(client, backend, halfCloseBackend, done.Token);
        var down = PumpAsync(backend, client, null, done.Token);
        if (halfCloseBackend is null)
        {
            await Task.WhenAny(up, down).ConfigureAwait(false);
        }
        else
        {
            await down.ConfigureAwait(false);
        }

        await done.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    private static async Task PumpAsync(Stream from, Stream to, Action? onEnd, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await to.FlushAsync(ct).ConfigureAwait(false);
            }

            onEnd?.Invoke();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Either side went away: this direction ends.
        }
    }
}
