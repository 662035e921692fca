using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.Kubelet.Server;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// A stand-in for a container runtime's streaming server (containerd's speaks the same protocol): plain HTTP with
/// WebSocket <c>v4.channel.k8s.io</c> (and, when <see cref="SupportsV5"/>, <c>v5</c>) at <c>/exec/{id}?cmd=…</c>,
/// which runs the command as a HOST process (no container) with its stdio relayed, and <c>/attach/{id}</c>, which
/// attaches to a per-id process that prints <c>tick N</c> lines. On exit it writes upstream's Status on channel 3
/// (Success, or Failure/NonZeroExitCode with an ExitCode cause) and closes.
/// </summary>
internal sealed class ProcessStreamingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentBag<Process> _processes = [];

    private ProcessStreamingServer(WebApplication app) => _app = app;

    /// <summary>Whether v5 (the close signal) is offered; containerd 1.6/1.7 speak v4 only.</summary>
    public bool SupportsV5 { get; set; } = true;

    /// <summary>The base URL, http://127.0.0.1:PORT/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<ProcessStreamingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ProcessStreamingServer(app);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var offered = ctx.WebSockets.WebSocketRequestedProtocols;
        var protocol = SupportsV5 && offered.Contains(ChannelProtocol.V5) ? ChannelProtocol.V5 : offered.Contains(ChannelProtocol.V4) ? ChannelProtocol.V4 : null;
        if (!ctx.WebSockets.IsWebSocketRequest || protocol is null)
        {
            ctx.Response.StatusCode = 400;
            return;
        }

        var q = ctx.Request.Query;
        var path = ctx.Request.Path.Value ?? "";
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync(protocol);
        var send = new SemaphoreSlim(1);
        async Task SendAsync(byte channel, ReadOnlyMemory<byte> data)
        {
            await send.WaitAsync();
            try
            {
                await ws.SendAsync(ChannelProtocol.Frame(channel, data.Span), WebSocketMessageType.Binary, true, CancellationToken.None);
            }
            finally
            {
                send.Release();
            }
        }

        string[] command = path.StartsWith("/attach/", StringComparison.Ordinal)
            ? ["/bin/sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
            : [.. q["cmd"].Select(c => c!)];
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            await SendAsync(ChannelProtocol.Error, Encoding.UTF8.GetBytes($"{{\"metadata\":{{}},\"status\":\"Failure\",\"message\":\"exec failed: {e.Message}\"}}"));
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return;
        }

        _processes.Add(process);
        async Task PumpAsync(Stream from, byte channel)
        {
            var buffer = new byte[8192];
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                await SendAsync(channel, buffer.AsMemory(0, n));
            }
        }

        var outputs = Task.WhenAll(PumpAsync(process.StandardOutput.BaseStream, ChannelProtocol.Stdout), PumpAsync(process.StandardError.BaseStream, ChannelProtocol.Stderr));
        var input = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        process.Kill(entireProcessTree: true);
                        return;
                    }

                    message.Write(buffer, 0, r.Count);
                    if (!r.EndOfMessage)
                    {
                        continue;
                    }

                    var bytes = message.ToArray();
                    message.SetLength(0);
                    if (ChannelProtocol.IsClose(bytes, out var stream) && stream == ChannelProtocol.Stdin)
                    {
                        process.StandardInput.Close();
                    }
                    else if (bytes.Length > 0 && bytes[0] == ChannelProtocol.Stdin)
                    {
                        await process.StandardInput.BaseStream.WriteAsync(bytes.AsMemory(1));
                        await process.StandardInput.BaseStream.FlushAsync();
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or InvalidOperationException or ObjectDisposedException)
            {
                // The session ended.
            }
        });

        await process.WaitForExitAsync();
        await outputs;
        var status = process.ExitCode == 0
            ? "{\"metadata\":{},\"status\":\"Success\"}"
            : $"{{\"metadata\":{{}},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {process.ExitCode}\",\"reason\":\"NonZeroExitCode\",\"details\":{{\"causes\":[{{\"reason\":\"ExitCode\",\"message\":\"{process.ExitCode}\"}}]}}}}";
        await SendAsync(ChannelProtocol.Error, Encoding.UTF8.GetBytes(status));
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await Task.WhenAny(input, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
