using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Skiff.Api.HttpStream;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// One HTTP/1.1 exchange with a backend over a fresh TLS connection, written by hand so that a header with several
/// values goes out as several header lines, as Go's client writes them (HttpClient would join them with commas, and an
/// extension server would read <c>X-Remote-Group: a, b</c> as one group). The request body is relayed chunked; the
/// response is read by its Content-Length, chunked encoding, or until the backend closes.
/// </summary>
internal sealed class BackendConnection : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private byte[] _buffer = [];
    private int _offset;

    private BackendConnection(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    /// <summary>Connects to <paramref name="url"/> over TLS with <paramref name="clientCertificate"/>, verifying the backend with <paramref name="verify"/>.</summary>
    public static async Task<BackendConnection> OpenAsync(Uri url, X509Certificate2 clientCertificate, string serverName,
        RemoteCertificateValidationCallback verify, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await tcp.ConnectAsync(url.IdnHost, url.Port, timeout.Token).ConfigureAwait(false);
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ClientCertificates = [clientCertificate],
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = verify,
            }, timeout.Token).ConfigureAwait(false);
            return new BackendConnection(tcp, ssl);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request head (each header value on its own line) and, when <paramref name="body"/> is given, the body chunked.</summary>
    public async Task SendAsync(string method, Uri url, IEnumerable<(string Name, string Value)> headers, Stream? body, CancellationToken ct)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(url.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body is not null)
        {
            head.Append("Transfer-Encoding: chunked\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        await _stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), ct).ConfigureAwait(false);
        if (body is not null)
        {
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await _stream.WriteAsync(Encoding.ASCII.GetBytes(n.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), ct).ConfigureAwait(false);
                await _stream.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await _stream.WriteAsync("\r\n"u8.ToArray(), ct).ConfigureAwait(false);
            }

            await _stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct).ConfigureAwait(false);
        }

        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reads the response head.</summary>
    public async Task<HttpResponseHead> ReadHeadAsync(CancellationToken ct)
    {
        var head = await HttpResponseHead.ReadAsync(_stream, MaxHeadBytes, failure => new IOException("malformed response from the backend: " + failure), ct).ConfigureAwait(false);
        _buffer = head.Leftover;
        _offset = 0;
        return head;
    }

    /// <summary>Copies the response body to <paramref name="to"/>, flushing as bytes arrive (watches stream through).</summary>
    public async Task CopyBodyAsync(HttpResponseHead head, Stream to, CancellationToken ct)
    {
        string? Header(string name) => head.Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        if (Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            while (true)
            {
                var line = await ReadLineAsync(ct).ConfigureAwait(false);
                var size = long.Parse(line.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    return;
                }

                await CopyExactlyAsync(size, to, ct).ConfigureAwait(false);
                await ReadLineAsync(ct).ConfigureAwait(false);
            }
        }

        if (long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            await CopyExactlyAsync(length, to, ct).ConfigureAwait(false);
            return;
        }

        await CopyExactlyAsync(long.MaxValue, to, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_offset < _buffer.Length)
        {
            return true;
        }

        var buffer = new byte[16 * 1024];
        var n = await _stream.ReadAsync(buffer, ct).ConfigureAwait(false);
        _buffer = buffer[..n];
        _offset = 0;
        return n > 0;
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (!await FillAsync(ct).ConfigureAwait(false))
            {
                throw new IOException("the backend closed the connection mid-body");
            }

            var c = (char)_buffer[_offset++];
            if (c == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            if (line.Length > 4096)
            {
                throw new IOException("chunk header too long");
            }

            line.Append(c);
        }
    }

    private async Task CopyExactlyAsync(long count, Stream to, CancellationToken ct)
    {
        while (count > 0)
        {
            if (!await FillAsync(ct).ConfigureAwait(false))
            {
                if (count == long.MaxValue)
                {
                    return;
                }

                throw new IOException("the backend closed the connection mid-body");
            }

            var n = (int)Math.Min(count, _buffer.Length - _offset);
            await to.WriteAsync(_buffer.AsMemory(_offset, n), ct).ConfigureAwait(false);
            await to.FlushAsync(ct).ConfigureAwait(false);
            _offset += n;
            if (count != long.MaxValue)
            {
                count -= n;
            }
        }
    }
}
