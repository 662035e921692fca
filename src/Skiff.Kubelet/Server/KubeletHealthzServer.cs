using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skiff.Kubelet.Server;

/// <summary>
/// The kubelet's plain-HTTP health endpoint, upstream's <c>--healthz-port</c> (default 10248) on
/// <c>--healthz-bind-address</c> (default 127.0.0.1). <c>cmd/kubelet/app/server.go</c> serves it with
/// <c>healthz.InstallHandler(mux)</c> and no checks, which installs the <c>ping</c> check only. So <c>/healthz</c>
/// and <c>/healthz/ping</c> answer 200 <c>ok</c>, <c>/healthz?verbose</c> lists <c>[+]ping ok</c>, and every other
/// path gets Go's 404. No authentication, as upstream. Upstream retries a failed bind every 5 s
/// (<c>wait.Until</c>) without stopping the kubelet, and so does this server.
/// </summary>
public sealed partial class KubeletHealthzServer : IAsyncDisposable
{
    /// <summary>Upstream's default <c>--healthz-port</c>.</summary>
    public const int DefaultPort = 10248;

    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(5);

    private readonly IPAddress _address;
    private readonly int _port;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<int> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _bindFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _serving = Task.CompletedTask;

    /// <summary>A server for <paramref name="address"/>:<paramref name="port"/> (0: a free port); nothing listens until <see cref="Start"/>.</summary>
    public KubeletHealthzServer(IPAddress address, int port, ILoggerFactory? loggers = null)
    {
        _address = address;
        _port = port;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Kubelet.Healthz");
    }

    /// <summary>Completes with the bound port once the server listens.</summary>
    public Task<int> Bound => _bound.Task;

    /// <summary>Completes at the first failed bind (tests).</summary>
    internal Task FirstBindFailure => _bindFailed.Task;

    /// <summary>Starts serving in the background, retrying the bind every 5 s until it succeeds or the server is disposed.</summary>
    public void Start() => _serving = Task.Run(() => ServeAsync(_stop.Token));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _serving.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var app = Build();
            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                _bound.TrySetResult(new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port);
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (IOException e)
            {
                LogBindFailed(_logger, _address.ToString(), _port, e.Message);
                _bindFailed.TrySetResult();
                try
                {
                    await Task.Delay(RetryPeriod, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }

        _bound.TrySetCanceled(CancellationToken.None);
    }

    private WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(_address, _port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    /// <summary>upstream's <c>handleRootHealth</c> and the <c>/healthz/ping</c> check handler, with only the ping check.</summary>
    internal static async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        var excluded = ctx.Request.Query["exclude"].Any(e => e == "ping");
        switch (path)
        {
            case "/healthz":
                ctx.Response.StatusCode = 200;
                await ctx.Response.WriteAsync(
                    !ctx.Request.Query.ContainsKey("verbose") ? "ok"
                    : (excluded ? "[+]ping excluded: ok\n" : "[+]ping ok\n") + "healthz check passed\n", ctx.RequestAborted).ConfigureAwait(false);
                return;
            case "/healthz/ping":
                ctx.Response.StatusCode = 200;
                await ctx.Response.WriteAsync("ok", ctx.RequestAborted).ConfigureAwait(false);
                return;
            default:
                ctx.Response.StatusCode = 404;
                await ctx.Response.WriteAsync("404 page not found\n", ctx.RequestAborted).ConfigureAwait(false);
                return;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to start healthz server on {Address}:{Port}: {Reason} (retrying in 5s)")]
    private static partial void LogBindFailed(ILogger logger, string address, int port, string reason);
}
