using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// The forwarding half of upstream's <c>UpgradeAwareHandler</c> for the <c>pods</c>, <c>services</c> and <c>nodes</c>
/// <c>proxy</c> subresources: the request's method, headers (not its credentials, impersonation or hop-by-hop headers)
/// and body go to the backend; its status, headers and body come back streamed. A redirect whose <c>Location</c> points
/// into the backend (same host, or an absolute path) is rewritten under the proxy prefix, as upstream's proxy transport
/// does. Upgrade requests use <see cref="KubeletProxy.UpgradeToAsync"/>: a fresh connection, switched only after the
/// backend's 101 (CVE-2018-1002105). A backend that cannot be reached is 503 <c>error trying to reach service: …</c>.
/// </summary>
internal sealed class ProxyForwarder : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly Lazy<HttpClient> _plain = new(() => KubeletProxy.CreateClient(null));
    private HttpClient? _kubelet;

    /// <summary>
    /// Forwards <paramref name="ctx"/> to <paramref name="url"/>; <paramref name="kubelet"/> non-null when the backend is
    /// a kubelet (its client certificate is presented). <paramref name="prefix"/> is the request path up to
    /// <c>/proxy</c>, under which backend redirects are rewritten.
    /// </summary>
    public async Task ForwardAsync(HttpContext ctx, Uri url, string prefix, KubeletProxy? kubelet, KubeletProxy upgrader, CancellationToken ct)
    {
        if (IsUpgrade(ctx.Request))
        {
            await upgrader.UpgradeToAsync(ctx, url, presentCertificate: kubelet is not null, ct).ConfigureAwait(false);
            return;
        }

        var client = kubelet is null ? _plain.Value : LazyInitializer.EnsureInitialized(ref _kubelet, () => KubeletProxy.CreateClient(kubelet.Certificate));
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), url);
        var hasBody = ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            request.Content = new StreamContent(ctx.Request.Body);
        }

        foreach (var (name, values) in ctx.Request.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':'))
            {
                continue;
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw StatusErrors.ServiceUnavailable($"error trying to reach service: {(e.InnerException ?? e).Message}");
        }

        using (response)
        {
            ctx.Response.StatusCode = (int)response.StatusCode;
            Copy(response.Headers, ctx.Response.Headers, url, prefix);
            Copy(response.Content.Headers, ctx.Response.Headers, url, prefix);
            await ctx.Response.StartAsync(ct).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_plain.IsValueCreated)
        {
            _plain.Value.Dispose();
        }

        _kubelet?.Dispose();
    }

    /// <summary>Whether the request asks for a connection upgrade.</summary>
    private static bool IsUpgrade(HttpRequest request) =>
        request.Headers.Connection.Any(c => c?.Contains("upgrade", StringComparison.OrdinalIgnoreCase) == true) && request.Headers.Upgrade.Count > 0;

    private static void Copy(HttpHeaders from, IHeaderDictionary to, Uri backend, string prefix)
    {
        foreach (var (name, values) in from)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (name.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                to[name] = values.Select(v => RewriteLocation(v, backend, prefix)).ToArray();
                continue;
            }

            to[name] = values.ToArray();
        }
    }

    /// <summary>A backend redirect into itself (absolute path, or an absolute URL on the same host and port) moves under the proxy prefix.</summary>
    internal static string RewriteLocation(string location, Uri backend, string prefix)
    {
        if (location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal))
        {
            return prefix + location;
        }

        if (Uri.TryCreate(location, UriKind.Absolute, out var abs) && abs.Host == backend.Host && abs.Port == backend.Port)
        {
            return prefix + abs.PathAndQuery + abs.Fragment;
        }

        return location;
    }
}
