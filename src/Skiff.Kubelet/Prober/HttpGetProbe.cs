using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using k8s.Models;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// An httpGet probe (upstream <c>pkg/probe/http</c>): <c>GET scheme://host:port/path</c> with the probe's headers,
/// <c>User-Agent: kube-probe/1.32</c> and <c>Accept: */*</c> unless overridden (an empty Accept removes it), no proxy,
/// no compression, no keep-alive, TLS without verification. Redirects to the same host are followed (at most 10 hops),
/// a redirect to another host ends the probe with its 3xx answer, which counts as success with a warning. 200–399 is
/// success (the body, read up to 10 KiB, is the output); anything else a failure
/// (<c>HTTP probe failed with statuscode: N</c>); a transport error or the timeout a failure with Go's error text.
/// Thread-safe; one instance serves every worker.
/// </summary>
internal sealed class HttpGetProbe : IDisposable
{
    /// <summary>Upstream's <c>kube-probe/&lt;major&gt;.&lt;minor&gt;</c>.</summary>
    public const string UserAgent = "kube-probe/1.32";

    private const int MaxBody = 10 * 1024;
    private const int MaxRedirects = 10;

    private readonly HttpMessageInvoker _invoker;
    private readonly TimeProvider _time;

    [SuppressMessage("Security", "CA5359:Do not disable certificate validation", Justification = "Upstream's probes skip TLS verification: pods serve self-signed certificates.")]
    public HttpGetProbe(TimeProvider time)
    {
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>The request target upstream builds (<c>NewRequestForHTTPGetAction</c>); false with the reason when the port cannot be resolved.</summary>
    public static bool TryBuildUri(V1HTTPGetAction action, V1Container container, string? podIp, out Uri? uri, out string error)
    {
        uri = null;
        if (!ContainerPorts.TryResolve(action.Port, container, out var port, out error))
        {
            return false;
        }

        var scheme = string.IsNullOrEmpty(action.Scheme) ? "http" : action.Scheme.ToLowerInvariant();
        var host = string.IsNullOrEmpty(action.Host) ? podIp ?? string.Empty : action.Host;
        var path = action.Path ?? string.Empty;
        if (path.Length > 0 && path[0] != '/')
        {
            path = "/" + path;
        }

        if (!Uri.TryCreate($"{scheme}://{GoNetErrors.JoinHostPort(host, port)}{path}", UriKind.Absolute, out uri))
        {
            error = $"parse {Skiff.Api.Validation.GoFormat.Quote($"{scheme}://{GoNetErrors.JoinHostPort(host, port)}{path}")}: invalid URL";
            return false;
        }

        return true;
    }

    /// <summary>Runs the probe against <paramref name="uri"/> within <paramref name="timeout"/> (on the injected clock).</summary>
    public async Task<ProbeOutcome> RunAsync(Uri uri, IReadOnlyList<V1HTTPHeader>? headers, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var original = uri;
        var current = uri;
        var hostOverride = headers?.LastOrDefault(h => string.Equals(h.Name, "Host", StringComparison.OrdinalIgnoreCase))?.Value;
        for (var hops = 0; ; hops++)
        {
            HttpResponseMessage response;
            try
            {
                using var request = NewRequest(current, headers, hostOverride);
                response = await _invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return new ProbeOutcome(ProbeResult.Failure, $"Get {Quote(current)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
            }
            catch (HttpRequestException e)
            {
                var address = GoNetErrors.JoinHostPort(current.IdnHost, current.Port);
                var what = GoNetErrors.IsSocket(e) ? GoNetErrors.Dial(address, e) : e.Message;
                return new ProbeOutcome(ProbeResult.Failure, $"Get {Quote(current)}: {what}");
            }

            using (response)
            {
                var code = (int)response.StatusCode;
                var location = response.Headers.Location;
                if (code is 301 or 302 or 303 or 307 or 308 && location is not null)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (!string.Equals(next.IdnHost, original.IdnHost, StringComparison.Ordinal))
                    {
                        // Upstream's RedirectChecker: another host ends the probe with this answer.
                        var redirectBody = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
                        return new ProbeOutcome(ProbeResult.Warning, $"Probe terminated redirects, Response body: {redirectBody}");
                    }

                    if (hops + 1 >= MaxRedirects)
                    {
                        return new ProbeOutcome(ProbeResult.Failure, $"Get {Quote(next)}: stopped after {MaxRedirects} redirects");
                    }

                    // Go keeps an explicit Host header only for a relative Location.
                    if (location.IsAbsoluteUri)
                    {
                        hostOverride = null;
                    }

                    current = next;
                    continue;
                }

                string body;
                try
                {
                    body = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    return new ProbeOutcome(ProbeResult.Failure, $"Get {Quote(current)}: context deadline exceeded (Client.Timeout exceeded while reading body)");
                }

                if (code is >= 200 and < 400)
                {
                    return code >= 300
                        ? new ProbeOutcome(ProbeResult.Warning, $"Probe terminated redirects, Response body: {body}")
                        : new ProbeOutcome(ProbeResult.Success, body);
                }

                // Upstream (issue 99425): the user-facing message must not carry the body.
                return new ProbeOutcome(ProbeResult.Failure, $"HTTP probe failed with statuscode: {code.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static HttpRequestMessage NewRequest(Uri uri, IReadOnlyList<V1HTTPHeader>? headers, string? hostOverride)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11 };
        request.Headers.ConnectionClose = true;
        var hasUserAgent = false;
        var accept = (string?)null;
        var hasAccept = false;
        foreach (var h in headers ?? [])
        {
            if (string.Equals(h.Name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (string.Equals(h.Name, "Accept", StringComparison.OrdinalIgnoreCase))
            {
                hasAccept = true;
                accept ??= h.Value;
                if (string.IsNullOrEmpty(accept))
                {
                    continue;
                }
            }

            hasUserAgent |= string.Equals(h.Name, "User-Agent", StringComparison.OrdinalIgnoreCase);
            request.Headers.TryAddWithoutValidation(h.Name, h.Value ?? string.Empty);
        }

        if (!hasUserAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        }

        if (!hasAccept)
        {
            request.Headers.TryAddWithoutValidation("Accept", "*/*");
        }
        else if (string.IsNullOrEmpty(accept))
        {
            request.Headers.Remove("Accept");
        }

        if (!string.IsNullOrEmpty(hostOverride))
        {
            request.Headers.Host = hostOverride;
        }

        return request;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBody];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            // Truncation at 10 KiB is not an error (upstream logs it and goes on).
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    private static string Quote(Uri uri) => Skiff.Api.Validation.GoFormat.Quote(uri.OriginalString);
}
