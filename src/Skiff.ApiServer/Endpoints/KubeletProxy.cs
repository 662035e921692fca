using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.Api.Errors;
using Skiff.Api.HttpStream;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// The API server's way to a node's kubelet (upstream <c>pkg/kubelet/client</c> + <c>UpgradeAwareHandler</c>): HTTPS
/// to the node's address and <c>status.daemonEndpoints.kubeletEndpoint.Port</c>, presenting the API server's
/// kubelet-client certificate. Like upstream without <c>--kubelet-certificate-authority</c>, the kubelet's serving
/// certificate is not verified. Plain requests (logs) are streamed back; upgrade requests (exec, attach, port-forward)
/// get a fresh backend connection each, are relayed byte for byte only after the kubelet answered 101, and the backend
/// connection is closed after any other answer (CVE-2018-1002105: a connection whose upgrade failed is never reused).
/// </summary>
internal sealed partial class KubeletProxy(Func<X509Certificate2> clientCertificate) : IDisposable
{
    private const int DefaultKubeletPort = 10250;
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxErrorBody = 64 * 1024;
    private readonly Lazy<X509Certificate2> _certificate = new(clientCertificate);
    private Lazy<HttpClient>? _httpClient;

    /// <summary>The kubelet-client certificate.</summary>
    internal X509Certificate2 Certificate => _certificate.Value;

    private Lazy<HttpClient> _http => LazyInitializer.EnsureInitialized(ref _httpClient, () => new Lazy<HttpClient>(() => CreateClient(_certificate.Value)));

    /// <summary>
    /// The kubelet's base URL for <paramref name="node"/>: its first InternalIP (else Hostname, else ExternalIP) and its
    /// kubelet endpoint port (10250 when unset). Null when the node reports no address.
    /// </summary>
    public static Uri? Location(JsonObject node)
    {
        var addresses = node["status"]?["addresses"] as JsonArray ?? [];
        string? Address(string type) => addresses.OfType<JsonObject>()
            .Where(a => a["type"]?.GetValue<string>() == type)
            .Select(a => a["address"]?.GetValue<string>())
            .FirstOrDefault(a => !string.IsNullOrEmpty(a));
        var host = Address("InternalIP") ?? Address("Hostname") ?? Address("ExternalIP");
        if (host is null)
        {
            return null;
        }

        var port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"] is JsonValue v && v.TryGetValue<int>(out var p) && p > 0 ? p : DefaultKubeletPort;
        var builder = new UriBuilder("https", host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, port);
        return builder.Uri;
    }

    /// <summary>
    /// GET <paramref name="url"/> and stream its body to the caller with the kubelet's status and content type; a
    /// non-2xx answer becomes a Status error carrying the kubelet's message (upstream's generic response checker).
    /// </summary>
    public async Task StreamAsync(HttpContext ctx, Uri url, string contentType, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.Value.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw DialError(e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw FromBackend((int)response.StatusCode, body.Length > MaxErrorBody ? body[..MaxErrorBody] : body);
            }

            ctx.Response.StatusCode = (int)response.StatusCode;
            ctx.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? contentType;
            await ctx.Response.StartAsync(ct).ConfigureAwait(false);
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Proxies an upgrade request to <paramref name="url"/> on a new connection: the client's method and upgrade headers
    /// (not its credentials) are sent, the kubelet's answer read; on 101 the client is switched with the kubelet's
    /// headers and bytes flow both ways until either side closes; any other answer is passed back as a normal response.
    /// </summary>
    public Task UpgradeAsync(HttpContext ctx, Uri url, CancellationToken ct) => UpgradeToAsync(ctx, url, presentCertificate: true, ct);

    /// <summary>
    /// <see cref="UpgradeAsync"/> to any backend: plain TCP for <c>http</c>, TLS (unverified, as upstream's proxy
    /// transport) for <c>https</c>, with the kubelet-client certificate only when <paramref name="presentCertificate"/>.
    /// </summary>
    public Task UpgradeToAsync(HttpContext ctx, Uri url, bool presentCertificate, CancellationToken ct) =>
        UpgradeToAsync(ctx, url, presentCertificate, null, null, ct);

    /// <summary>
    /// <see cref="UpgradeAsync"/> to any backend, its TLS certificate checked by <paramref name="verify"/> for
    /// <paramref name="serverName"/> (null: not verified, for the URL's host; the aggregator passes the APIService's
    /// caBundle check and <c>service.namespace.svc</c>).
    /// </summary>
    public async Task UpgradeToAsync(HttpContext ctx, Uri url, bool presentCertificate, RemoteCertificateValidationCallback? verify, string? serverName,
        CancellationToken ct)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest)
        {
            throw StatusErrors.BadRequest("Upgrade request required");
        }

        using var tcp = new TcpClient { NoDelay = true };
        var ssl = await DialAsync(tcp, url, presentCertificate, verify, serverName, ct).ConfigureAwait(false);
        await using (ssl.ConfigureAwait(false))
        {
            await ssl.WriteAsync(RequestHead(ctx.Request, url), ct).ConfigureAwait(false);
            await ssl.FlushAsync(ct).ConfigureAwait(false);
            var (status, headers, rest) = await ReadHeadAsync(ssl, ct).ConfigureAwait(false);
            if (status != StatusCodes.Status101SwitchingProtocols)
            {
                var body = await ReadBodyAsync(ssl, headers, rest, ct).ConfigureAwait(false);
                ctx.Response.StatusCode = status;
                var type = headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
                ctx.Response.ContentType = type ?? "text/plain; charset=utf-8";
                ctx.Response.ContentLength = body.Length;
                await ctx.Response.Body.WriteAsync(body, ct).ConfigureAwait(false);
                return;
            }

            foreach (var (headerName, value) in headers)
            {
                if (!headerName.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !headerName.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    ctx.Response.Headers.Append(headerName, value);
                }
            }

            var client = await upgrade.UpgradeAsync().ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                await UpgradedStreamRelay.RelayAsync(client, ssl, rest, halfCloseBackend: null, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A connection to <paramref name="url"/>: plain for http, else TLS (with the client certificate when asked, verified by <paramref name="verify"/> when given).</summary>
    private async Task<Stream> DialAsync(TcpClient tcp, Uri url, bool presentCertificate, RemoteCertificateValidationCallback? verify, string? serverName,
        CancellationToken ct)
    {
        try
        {
            await tcp.ConnectAsync(url.IdnHost, url.Port, ct).ConfigureAwait(false);
            if (url.Scheme == "http")
            {
                return tcp.GetStream();
            }

            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName ?? url.IdnHost,
                ClientCertificates = presentCertificate ? [_certificate.Value] : null,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = verify ?? ((_, _, _, _) => true),
            }, ct).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw DialError(e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_httpClient is { IsValueCreated: true } http)
        {
            http.Value.Dispose();
        }
    }

    private static byte[] RequestHead(HttpRequest request, Uri url)
    {
        var sb = new StringBuilder();
        sb.Append(request.Method).Append(' ').Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        sb.Append("Host: ").Append(url.Authority).Append("\r\n");
        foreach (var (name, values) in request.Headers)
        {
            // The client's credentials stay here (upstream's authentication filter strips them); the kubelet sees ours.
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':'))
            {
                continue;
            }

            foreach (var v in values)
            {
                sb.Append(name).Append(": ").Append(v).Append("\r\n");
            }
        }

        return Encoding.Latin1.GetBytes(sb.Append("\r\n").ToString());
    }

    private static async Task<(int Status, List<(string Name, string Value)> Headers, byte[] Leftover)> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = await Skiff.Api.HttpStream.HttpResponseHead.ReadAsync(stream, MaxHeadBytes, failure => new StatusException(500, "InternalError", failure switch
        {
            Skiff.Api.HttpStream.HttpResponseHead.Failure.Malformed => "error proxying to the kubelet: malformed response",
            Skiff.Api.HttpStream.HttpResponseHead.Failure.TooLarge => "error proxying to the kubelet: response head too large",
            _ => "error proxying to the kubelet: connection closed before a response",
        }), ct).ConfigureAwait(false);
        return (head.Status, head.Headers, head.Leftover);
    }

    /// <summary>A non-101 answer's body: by Content-Length, chunked, or to the end of the connection (capped).</summary>
    private static async Task<byte[]> ReadBodyAsync(Stream stream, List<(string Name, string Value)> headers, byte[] rest, CancellationToken ct)
    {
        var raw = new MemoryStream();
        raw.Write(rest);
        var length = headers.FirstOrDefault(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        var chunked = headers.Any(h => h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        long? want = long.TryParse(length, System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : null;
        var buffer = new byte[8192];
        while (raw.Length < MaxErrorBody && (want is null || raw.Length < want) && !(chunked && raw.ToArray().AsSpan().IndexOf("0\r\n\r\n"u8) >= 0))
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            }
            catch (IOException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            raw.Write(buffer, 0, n);
        }

        var bytes = raw.ToArray();
        if (want is { } w && bytes.Length > w)
        {
            return bytes[..(int)w];
        }

        return chunked ? Dechunk(bytes) : bytes;
    }

    private static byte[] Dechunk(byte[] raw)
    {
        var output = new MemoryStream();
        var pos = 0;
        while (pos < raw.Length)
        {
            var eol = raw.AsSpan(pos).IndexOf("\r\n"u8);
            if (eol < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(raw, pos, eol).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var size) || size == 0)
            {
                break;
            }

            pos += eol + 2;
            var take = Math.Min(size, raw.Length - pos);
            output.Write(raw, pos, take);
            pos += take + 2;
        }

        return output.ToArray();
    }

    private static StatusException DialError(Exception e) =>
        new(500, "", $"error dialing backend: {(e.InnerException ?? e).Message}");

    /// <summary>Upstream <c>NewGenericServerResponse</c>: the kubelet's code, the matching reason, its text as the message.</summary>
    private static StatusException FromBackend(int code, string body)
    {
        var reason = code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            409 => "Conflict",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "",
        };
        var message = body.TrimEnd('\n');
        return new StatusException(code, reason, message.Length > 0 ? message : $"the server responded with the status code {code} but did not return more information");
    }

    /// <summary>An HTTP client to the kubelet presenting <paramref name="certificate"/>; redirects are not followed.</summary>
    internal static HttpClient CreateClient(X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
