using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Skiff.Kubelet.Server;

/// <summary>
/// The kubelet's HTTPS server (upstream <c>pkg/kubelet/server</c>, port 10250): <c>/healthz</c>, <c>/pods</c>,
/// <c>/containerLogs/{ns}/{pod}/{container}</c>, <c>/exec</c> and <c>/attach</c> <c>/{ns}/{pod}[/{uid}]/{container}</c>
/// and <c>/portForward/{ns}/{pod}[/{uid}]</c>.
/// <para>
/// Every path is authenticated and authorized as upstream's <c>pkg/kubelet/server/auth.go</c> with anonymous access
/// off (<see cref="KubeletAuthFilter"/>): a client certificate signed by <see cref="KubeletServerOptions.ClientCa"/> (user
/// CN, groups O; the API server's kubelet-client certificate) or a bearer token the API server reviews, else 401
/// <c>Unauthorized</c>; then a SubjectAccessReview for the request's verb on <c>nodes/proxy</c> (<c>nodes/stats</c>,
/// <c>nodes/metrics</c>, <c>nodes/log</c>, <c>nodes/checkpoint</c> for those paths) of this node, else 403
/// <c>Forbidden (user=U, verb=V, resource=nodes, subresource=S)</c>.
/// </para>
/// </summary>
public sealed partial class KubeletServer : IAsyncDisposable
{
    private readonly KubeletServerOptions _options;
    private WebApplication? _app;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    public KubeletServer(KubeletServerOptions options) => _options = options;

    /// <summary>The bound port (after start).</summary>
    public int Port { get; private set; }

    /// <summary>Starts listening.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (_options.ServingCertificate is null && _options.ServingCertificateSelector is null)
        {
            throw new InvalidOperationException("the kubelet server needs a serving certificate or a selector");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.Listen(_options.BindAddress, _options.Port, listen =>
            {
                // HTTP/1.1 only: the streaming protocols upgrade the connection.
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = _options.ServingCertificateSelector is null ? _options.ServingCertificate : null,
                    ServerCertificateSelector = _options.ServingCertificateSelector is { } select ? (_, _) => select() : null,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,

                    // Trust is decided per request, so a bad certificate gets a 401 rather than a failed handshake.
                    ClientCertificateValidation = (_, _, _) => true,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                });
            });
        });

        var app = builder.Build();
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Skiff.Kubelet.Server");
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Run(HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        var path = ctx.Request.Path.Value ?? "/";
        try
        {
            var user = await AuthenticateAsync(ctx, ct).ConfigureAwait(false);
            if (user is null)
            {
                await TextAsync(ctx, 401, "Unauthorized", ct).ConfigureAwait(false);
                return;
            }

            var (verb, subresource) = KubeletAuthFilter.Attributes(ctx.Request.Method, path);
            if (_options.Auth is { } auth)
            {
                bool allowed;
                try
                {
                    allowed = await auth.AuthorizeAsync(user, verb, subresource, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRequestFailed(_logger, path, "authorization: " + e.Message);
                    await TextAsync(ctx, 500, KubeletAuthFilter.Message("Authorization error", user, verb, subresource), ct).ConfigureAwait(false);
                    return;
                }

                if (!allowed)
                {
                    await TextAsync(ctx, 403, KubeletAuthFilter.Message("Forbidden", user, verb, subresource), ct).ConfigureAwait(false);
                    return;
                }
            }

            if (path == "/healthz")
            {
                await TextAsync(ctx, 200, "ok", ct).ConfigureAwait(false);
                return;
            }

            var parts = path.Trim('/').Split('/');
            switch (parts[0])
            {
                case "pods" when parts.Length == 1 && HttpMethods.IsGet(ctx.Request.Method):
                    await PodsAsync(ctx, ct).ConfigureAwait(false);
                    return;
                case "containerLogs" when parts.Length == 4 && HttpMethods.IsGet(ctx.Request.Method):
                    await ContainerLogsAsync(ctx, parts[1], parts[2], parts[3], ct).ConfigureAwait(false);
                    return;
                case "exec" or "attach" when parts.Length is 4 or 5:
                    await StreamAsync(ctx, parts[0], parts[1], parts[2], parts[^1], ct).ConfigureAwait(false);
                    return;
                case "portForward" when parts.Length is 3 or 4:
                    await PortForwardAsync(ctx, parts[1], parts[2], ct).ConfigureAwait(false);
                    return;
                default:
                    await TextAsync(ctx, 404, "404 page not found", ct).ConfigureAwait(false);
                    return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (KubeletRequestException e) when (!ctx.Response.HasStarted)
        {
            await TextAsync(ctx, e.StatusCode, e.Message, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.WebSockets.WebSocketException or UnauthorizedAccessException or InvalidOperationException or System.Net.Http.HttpRequestException)
        {
            LogRequestFailed(_logger, path, e.Message);
            if (!ctx.Response.HasStarted)
            {
                await TextAsync(ctx, 500, e.Message, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The caller: its cluster-CA client certificate's user, else its bearer token's (when delegated), else null.</summary>
    private async Task<KubeletUser?> AuthenticateAsync(HttpContext ctx, CancellationToken ct)
    {
        var cert = ctx.Connection.ClientCertificate ?? await ctx.Connection.GetClientCertificateAsync(ct).ConfigureAwait(false);
        if (cert is not null && KubeletAuthFilter.CertificateUser(cert, _options.ClientCa) is { } certUser)
        {
            return certUser;
        }

        var header = ctx.Request.Headers.Authorization.ToString();
        if (_options.Auth is { } auth && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } token)
        {
            try
            {
                return await auth.AuthenticateTokenAsync(token, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRequestFailed(_logger, ctx.Request.Path.Value ?? "/", "token review: " + e.Message);
            }
        }

        return null;
    }

    private async Task PodsAsync(HttpContext ctx, CancellationToken ct)
    {
        var list = new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray([.. _options.Pods().Select(p => p.DeepClone())]),
        };
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(list.ToJsonString(), ct).ConfigureAwait(false);
    }

    private static async Task TextAsync(HttpContext ctx, int status, string text, CancellationToken ct)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(text, ct).ConfigureAwait(false);
    }

    private PodRuntimeInfo FindPod(string ns, string name) =>
        _options.Runtime.Find(ns, name) ?? throw new KubeletRequestException(404, $"pod \"{name}\" does not exist\n");

    [LoggerMessage(Level = LogLevel.Warning, Message = "kubelet server: {Path} failed: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string path, string reason);
}
