using Skiff.ApiServer.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Maps upstream's OpenAPI endpoints (kube-openapi <c>handler3</c>):
/// <list type="bullet">
/// <item><c>GET /openapi/v3</c>: the root document listing each group-version with its content hash.</item>
/// <item><c>GET /openapi/v3/api/v1</c>, <c>/openapi/v3/apis/&lt;group&gt;/&lt;version&gt;</c>: the group-version's OpenAPI 3.0
/// document. With <c>?hash=</c> equal to the current hash the reply is <c>Cache-Control: public, immutable</c>
/// (plus <c>Expires</c> a year ahead and <c>Vary: Accept</c>); a stale hash is redirected (301) to the current one.
/// Every reply carries a quoted <c>ETag</c> and honours <c>If-None-Match</c> (304).</item>
/// <item><c>GET /openapi/v2</c> (kube-openapi <c>handler</c>), when <paramref name="source"/> is also an
/// <see cref="IOpenApiV2Source"/>: the aggregated Swagger 2.0 document, as JSON or as the gnostic protobuf message
/// (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c> and the <c>.v2.v1.0+protobuf</c> form) by
/// Accept, 406 otherwise; ETag/<c>If-None-Match</c> → 304, gzip on request (see <see cref="OpenApiV2Handler"/>).
/// kubectl 1.32 fetches it as protobuf for client-side validation: always for a <c>kind: List</c> file
/// (<c>apply -f</c>, <c>create -f</c>), and for kinds whose v3 PATCH operation it cannot find. Without a v2 source,
/// 404.</item>
/// </list>
/// The v3 documents are always JSON (kubectl asks for <c>application/json</c>).
/// </summary>
public static class OpenApiEndpoints
{
    /// <summary>Maps the OpenAPI routes to <paramref name="source"/> (and <c>/openapi/v2</c> when it is an <see cref="IOpenApiV2Source"/>).</summary>
    public static IEndpointRouteBuilder MapOpenApi(this IEndpointRouteBuilder app, IOpenApiSource source)
    {
        app.MapGet("/openapi/v3", (HttpContext ctx) => Serve(ctx, source.Root(), null));
        app.MapGet("/openapi/v3/{**path}", (HttpContext ctx, string path) =>
        {
            path = path.TrimEnd('/');
            var doc = source.Document(path);
            return doc is null ? NotFound(ctx) : Serve(ctx, doc, path);
        });
        if (source is IOpenApiV2Source v2)
        {
            app.MapMethods("/openapi/v2", [HttpMethods.Get, HttpMethods.Head], (HttpContext ctx) => OpenApiV2Handler.ServeAsync(ctx, v2));
        }
        else
        {
            app.MapGet("/openapi/v2", NotFound);
        }

        return app;
    }

    private static Task Serve(HttpContext ctx, OpenApiDocument doc, string? path)
    {
        var response = ctx.Response;
        var etag = "\"" + doc.Hash + "\"";
        response.Headers.ETag = etag;
        var hash = ctx.Request.Query["hash"].ToString();
        if (path is not null && hash.Length > 0)
        {
            if (!string.Equals(hash, doc.Hash, StringComparison.Ordinal))
            {
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = $"/openapi/v3/{path}?hash={doc.Hash}";
                return Task.CompletedTask;
            }

            response.Headers.Vary = "Accept";
            response.Headers.CacheControl = "public, immutable";
            response.Headers.Expires = DateTimeOffset.UtcNow.AddYears(1).ToString("R");
        }

        if (ctx.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = doc.Json.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(doc.Json, ctx.RequestAborted).AsTask();
    }

    private static Task NotFound(HttpContext ctx) => Responses.WriteStatusAsync(ctx, ServerErrors.PageNotFound());
}
