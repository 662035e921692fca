using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Serves <c>GET /openapi/v2</c> as kube-openapi's <c>handler.RegisterOpenAPIVersionedService</c> does: content
/// negotiation over the Accept clauses (by q, then specificity; an empty Accept is <c>*/*</c>) against, in order,
/// <c>application/json</c>, <c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c> and
/// <c>application/com.github.proto-openapi.spec.v2.v1.0+protobuf</c> (both protobuf forms answered with the latter
/// content type), 406 when nothing matches; <c>Vary: Accept</c>, the quoted JSON hash as ETag for both forms,
/// <c>Last-Modified</c>, <c>If-None-Match</c>/<c>If-Modified-Since</c> → 304 (Go's <c>http.ServeContent</c>), and gzip
/// when the client accepts it (upstream wraps the handler in <c>gziphandler</c>, minimum size 1400 bytes).
/// </summary>
internal static class OpenApiV2Handler
{
    /// <summary>The protobuf content type upstream answers with.</summary>
    public const string ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private const int GzipMinSize = 1400;

    private static readonly (string SubType, bool Protobuf)[] Offered =
    [
        ("json", false),
        ("com.github.proto-openapi.spec.v2@v1.0+protobuf", true),
        ("com.github.proto-openapi.spec.v2.v1.0+protobuf", true),
    ];

    public static Task ServeAsync(HttpContext ctx, IOpenApiV2Source source)
    {
        var request = ctx.Request;
        var response = ctx.Response;
        response.Headers.Append("Vary", "Accept");
        var accept = request.Headers.Accept.ToString();
        bool? protobuf = Negotiate(accept.Length == 0 ? "*/*" : accept);
        if (protobuf is null)
        {
            response.StatusCode = StatusCodes.Status406NotAcceptable;
            return Task.CompletedTask;
        }

        var doc = source.V2();
        var etag = "\"" + doc.Hash + "\"";
        response.ContentType = protobuf.Value ? ProtobufContentType : "application/json";
        response.Headers.ETag = etag;
        var lastModified = new DateTimeOffset(doc.Built.UtcDateTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);

        if (NotModified(request, etag, lastModified))
        {
            response.ContentType = null;
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var body = protobuf.Value ? doc.Protobuf : doc.Json;
        if (body.Length >= GzipMinSize && AcceptsGzip(request.Headers.AcceptEncoding.ToString()))
        {
            response.Headers.Append("Vary", "Accept-Encoding");
            response.Headers.ContentEncoding = "gzip";
            body = doc.Gzipped(protobuf.Value);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, ctx.RequestAborted).AsTask();
    }

    /// <summary>True for protobuf, false for JSON, null when no offered type matches (goautoneg's order).</summary>
    internal static bool? Negotiate(string accept)
    {
        var clauses = new List<(string Type, string SubType, double Q, int Index)>();
        foreach (var part in accept.Split(','))
        {
            var pieces = part.Split(';');
            var media = pieces[0].Trim();
            string type, subType;
            if (media == "*")
            {
                (type, subType) = ("*", "*");
            }
            else
            {
                var slash = media.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || slash == media.Length - 1)
                {
                    continue;
                }

                (type, subType) = (media[..slash], media[(slash + 1)..]);
            }

            var q = 1.0;
            foreach (var param in pieces.Skip(1))
            {
                var kv = param.Split('=', 2);
                if (kv.Length == 2 && kv[0].Trim() == "q" && double.TryParse(kv[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                {
                    q = parsed;
                }
            }

            clauses.Add((type, subType, q, clauses.Count));
        }

        var ordered = clauses
            .OrderByDescending(c => c.Q)
            .ThenBy(c => c.SubType == "*" ? 1 : 0)
            .ThenBy(c => c.Type == "*" ? 1 : 0)
            .ThenBy(c => c.Index);
        foreach (var clause in ordered)
        {
            foreach (var (subType, isProtobuf) in Offered)
            {
                if ((clause.Type == "application" || clause.Type == "*") && (clause.SubType == subType || clause.SubType == "*"))
                {
                    return isProtobuf;
                }
            }
        }

        return null;
    }

    private static bool NotModified(HttpRequest request, string etag, DateTimeOffset lastModified)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            return ifNoneMatch.Any(v => v is not null && v.Split(',').Any(t =>
            {
                var tag = t.Trim();
                tag = tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
                return tag == etag || tag == "*";
            }));
        }

        return DateTimeOffset.TryParse(request.Headers.IfModifiedSince.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && lastModified <= since;
    }

    private static bool AcceptsGzip(string acceptEncoding)
    {
        foreach (var part in acceptEncoding.Split(','))
        {
            var pieces = part.Split(';');
            if (!string.Equals(pieces[0].Trim(), "gzip", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var q = pieces.Skip(1).Select(p => p.Split('=', 2)).FirstOrDefault(kv => kv.Length == 2 && kv[0].Trim() == "q");
            return q is null || !double.TryParse(q[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value > 0;
        }

        return false;
    }
}
