using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>
/// A tiny Kestrel host on a free loopback port serving only what kubectl needs around OpenAPI: <c>/version</c>
/// (minor 32), legacy discovery for core/v1 pods, <see cref="OpenApiEndpoints.MapOpenApi"/>, and a fake pods
/// endpoint that records the requests it gets (method, query, content type) and echoes bodies back.
/// </summary>
internal sealed class OpenApiTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenApiTestHost(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Requests to the pods endpoints: "METHOD path?query content-type".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The pod GET returns, or null for 404.</summary>
    public JsonObject? StoredPod { get; set; }

    public static async Task<OpenApiTestHost> StartAsync(IOpenApiSource source, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        OpenApiTestHost? host = null;
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "32", gitVersion = "v1.32.4", platform = "linux/amd64" }));
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = new[] { new { clientCIDR = "0.0.0.0/0", serverAddress = "127.0.0.1" } } }));
        app.MapGet("/apis", () => Results.Json(new { kind = "APIGroupList", apiVersion = "v1", groups = Array.Empty<object>() }));
        app.MapGet("/api/v1", () => Results.Json(new
        {
            kind = "APIResourceList",
            groupVersion = "v1",
            resources = new object[]
            {
                new { name = "pods", singularName = "pod", namespaced = true, kind = "Pod", verbs = new[] { "create", "delete", "get", "list", "patch", "update", "watch" }, shortNames = new[] { "po" } },
            },
        }));
        app.MapOpenApi(source);
        app.Map("/api/v1/namespaces/{ns}/pods/{**rest}", async (HttpContext ctx) =>
        {
            var req = ctx.Request;
            host!.Requests.Enqueue($"{req.Method} {req.Path}{req.QueryString} {req.ContentType}");
            if (HttpMethods.IsGet(req.Method))
            {
                return host.StoredPod is { } pod ? Results.Json(pod) : NotFound();
            }

            var body = await JsonNode.ParseAsync(req.Body, cancellationToken: ctx.RequestAborted);
            if (HttpMethods.IsPatch(req.Method))
            {
                return Results.Json(host.StoredPod);
            }

            return Results.Json(body, statusCode: 201);
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host = new OpenApiTestHost(app, address);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IResult NotFound() => Results.Json(
        new { kind = "Status", apiVersion = "v1", metadata = new { }, status = "Failure", message = "pods \"p\" not found", reason = "NotFound", details = new { name = "p", kind = "pods" }, code = 404 },
        statusCode: 404);
}
