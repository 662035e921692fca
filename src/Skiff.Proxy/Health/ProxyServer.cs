using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Skiff.Proxy.Health;

/// <summary>
/// kube-proxy's HTTP endpoints: <c>/healthz</c> and <c>/livez</c> on every address at the healthz port (upstream's
/// 10256; 200 with <c>{"lastUpdated":…,"currentTime":…}</c> while healthy, else 503) and <c>/metrics</c> (and
/// <c>/healthz</c>) on 127.0.0.1 at the metrics port (upstream's 10249).
/// </summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProxyServer(WebApplication app) => _app = app;

    /// <summary>Starts listening (a port of 0 is not served).</summary>
    /// <exception cref="IOException">A port is taken.</exception>
    public static async Task<ProxyServer> StartAsync(int healthzPort, int metricsPort, ProxyHealth health, CollectorRegistry registry, TimeProvider time, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (healthzPort > 0)
            {
                k.Listen(IPAddress.Any, healthzPort);
            }

            if (metricsPort > 0)
            {
                k.Listen(IPAddress.Loopback, metricsPort);
            }
        });
        var app = builder.Build();
        app.Run(async ctx =>
        {
            var path = ctx.Request.Path.Value;
            if (path is "/healthz" or "/livez")
            {
                var ok = health.IsHealthy();
                ctx.Response.StatusCode = ok ? 200 : 503;
                ctx.Response.ContentType = "application/json";
                ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
                var last = health.LastUpdated is { } l ? l.ToString("O", CultureInfo.InvariantCulture) : "";
                await ctx.Response.WriteAsync(
                    $"{{\"lastUpdated\": \"{last}\",\"currentTime\": \"{time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)}\",\"nodeEligible\": true}}",
                    ctx.RequestAborted).ConfigureAwait(false);
            }
            else if (path == "/metrics" && ctx.Connection.LocalPort == metricsPort)
            {
                ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                ctx.Response.StatusCode = 404;
            }
        });
        await app.StartAsync(ct).ConfigureAwait(false);
        return new ProxyServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
