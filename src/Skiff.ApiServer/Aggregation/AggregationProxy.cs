using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.Api.HttpStream;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// Forwards a request for an aggregated group/version to its backend (upstream <c>proxyHandler</c>): the method,
/// path, query, headers (not the caller's credentials, impersonation, hop-by-hop or X-Remote-* headers) and body go
/// to the backend with the already-authenticated user in <c>X-Remote-User</c>, <c>X-Remote-Group</c> and
/// <c>X-Remote-Extra-*</c>; the status, headers and body come back streamed (watches flush as they arrive). Upgrade
/// requests are relayed byte for byte after the backend's 101. Failures are upstream's plain-text 503s. The exchange is written by hand (<see cref="BackendConnection"/>) so that a user in several groups reaches the backend as several X-Remote-Group lines.
/// </summary>
internal static class AggregationProxy
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    /// <summary>
    /// Forwards <paramref name="ctx"/> to <paramref name="backend"/> (base URL) as <paramref name="user"/>, over TLS with
    /// <paramref name="clientCertificate"/>, verifying the backend as <paramref name="service"/> says.
    /// </summary>
    public static async Task ForwardAsync(HttpContext ctx, Uri backend, ApiServiceInfo service, X509Certificate2 clientCertificate, UserInfo user, CancellationToken ct)
    {
        var url = new Uri(backend, (ctx.Request.PathBase + ctx.Request.Path).ToUriComponent() + ctx.Request.QueryString.ToUriComponent());
        var headers = new List<(string Name, string Value)>();
        foreach (var (name, values) in ctx.Request.Headers)
        {
            if (Forwarded(name) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                headers.AddRange(values.Where(v => v is not null).Select(v => (name, v!)));
            }
        }

        headers.AddRange(UserHeaders(user));
        var hasBody = ctx.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? (ctx.Request.ContentLength > 0);
        BackendConnection connection;
        HttpResponseHead head;
        try
        {
            connection = await BackendConnection.OpenAsync(url, clientCertificate, service.ServerName ?? url.IdnHost,
                (_, cert, chain, errors) => BackendTransports.Verify(service, cert as X509Certificate2, chain, errors), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            await WritePlainAsync(ctx, 503, "error trying to reach service: " + (e is OperationCanceledException ? "i/o timeout" : Innermost(e).Message), ct).ConfigureAwait(false);
            return;
        }

        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.SendAsync(ctx.Request.Method, url, headers, hasBody ? ctx.Request.Body : null, ct).ConfigureAwait(false);
                head = await connection.ReadHeadAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                await WritePlainAsync(ctx, 503, "error trying to reach service: " + Innermost(e).Message, ct).ConfigureAwait(false);
                return;
            }

            ctx.Response.StatusCode = head.Status;
            var chunked = head.Headers.Any(h => h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
            foreach (var group in head.Headers.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
            {
                if (!HopByHop.Contains(group.Key) && !(chunked && group.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
                {
                    ctx.Response.Headers[group.Key] = group.Select(h => h.Value).ToArray();
                }
            }

            await ctx.Response.StartAsync(ct).ConfigureAwait(false);
            try
            {
                await connection.CopyBodyAsync(head, ctx.Response.Body, ct).ConfigureAwait(false);
            }
            catch (Exception e) when ((e is IOException or SocketException or FormatException) && !ct.IsCancellationRequested)
            {
                // The backend went away mid-stream (a watch): the response ends, as upstream's proxy ends it.
                ctx.Abort();
            }
        }
    }

    /// <summary>
    /// Replaces the X-Remote-* headers of <paramref name="request"/> with <paramref name="user"/>'s, for an upgrade
    /// relayed byte for byte (upstream sets them on the request before dialling).
    /// </summary>
    public static void SetUserHeaders(HttpRequest request, UserInfo user)
    {
        foreach (var name in request.Headers.Keys.Where(n => n.StartsWith("X-Remote-", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            request.Headers.Remove(name);
        }

        foreach (var (name, value) in UserHeaders(user))
        {
            request.Headers.Append(name, value);
        }
    }

    /// <summary>Upstream's <c>SetAuthProxyHeaders</c>: user, one header per group, one per extra value (key escaped).</summary>
    public static IEnumerable<(string Name, string Value)> UserHeaders(UserInfo user)
    {
        yield return ("X-Remote-User", user.Name);
        foreach (var group in user.Groups)
        {
            yield return ("X-Remote-Group", group);
        }

        foreach (var (key, values) in user.Extra)
        {
            foreach (var value in values)
            {
                yield return ("X-Remote-Extra-" + EscapeKey(key), value);
            }
        }
    }

    /// <summary>Writes a plain-text error as Go's <c>http.Error</c> does (upstream's <c>proxyError</c>).</summary>
    public static async Task WritePlainAsync(HttpContext ctx, int status, string message, CancellationToken ct)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await ctx.Response.WriteAsync(message + "\n", ct).ConfigureAwait(false);
    }

    /// <summary>Upstream's <c>headerKeyEscape</c>: every byte that is not a legal header-name character, and '%', percent-encoded.</summary>
    internal static string EscapeKey(string key)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            var c = (char)b;
            if (b < 0x80 && c != '%' && (char.IsAsciiLetterOrDigit(c) || "!#$&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static bool Forwarded(string name) =>
        !HopByHop.Contains(name) && !name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        && !name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("X-Remote-", StringComparison.OrdinalIgnoreCase)
        && !name.StartsWith(':');

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
