using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Skiff.Components;

/// <summary>
/// A standalone component's metrics endpoint: plain HTTP on 127.0.0.1:<paramref name="port"/> serving <c>/metrics</c>
/// (the process collector and the client SDK's work queue, REST client and leader election metrics, in Prometheus
/// text format through prometheus-net) and <c>/healthz</c> (<paramref name="healthy"/>).
/// </summary>
internal sealed class MetricsServerComponent(int port, Func<bool> healthy, ILoggerFactory loggers)
    : Component("metrics-server", loggers.CreateLogger("Skiff.Metrics"))
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private IDisposable? _bridge;
    private WebApplication? _app;

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        DotNetStats.Register(_registry);
        _bridge = ClientMetrics.Bridge(_registry);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            switch (ctx.Request.Path.Value)
            {
                case "/metrics":
                    ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await _registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
                    break;
                case "/healthz":
                    var ok = healthy();
                    ctx.Response.StatusCode = ok ? 200 : 500;
                    await ctx.Response.WriteAsync(ok ? "ok" : "healthz check failed", ctx.RequestAborted).ConfigureAwait(false);
                    break;
                default:
                    ctx.Response.StatusCode = 404;
                    break;
            }
        });
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ComponentStartException($"cannot listen on metrics port {port}: {e.Message}", e);
        }

        _app = app;
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_app is not null)
        {
            await _app.StopAsync(ct).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _bridge?.Dispose();
    }
}
