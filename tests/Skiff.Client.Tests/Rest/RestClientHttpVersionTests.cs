using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Xunit;

namespace Skiff.Client.Tests.Rest;

/// <summary>
/// <see cref="RestClient"/> asks for HTTP/2 as client-go does (ALPN over TLS, HTTP/1.1 when the server has no h2) and
/// multiplexes watches on one connection.
/// </summary>
public sealed class RestClientHttpVersionTests : IAsyncDisposable
{
    private readonly TestCertificates _certs = new();
    private readonly List<WebApplication> _apps = [];

    [Fact]
    public async Task Get_ServerOffersHttp2_NegotiatesHttp2()
    {
        using var client = new RestClient(await ConfigAsync(HttpProtocols.Http1AndHttp2));

        var pod = (await client.Get().Namespace("default").Resource("pods").Name("p").DoAsync()).Into<k8s.Models.V1Pod>();

        Assert.Equal("HTTP_2", pod.Metadata.Labels["protocol"]);
    }

    [Fact]
    public async Task Get_Http11OnlyServer_FallsBackToHttp11()
    {
        using var client = new RestClient(await ConfigAsync(HttpProtocols.Http1));

        var pod = (await client.Get().Namespace("default").Resource("pods").Name("p").DoAsync()).Into<k8s.Models.V1Pod>();

        Assert.Equal("HTTP_1.1", pod.Metadata.Labels["protocol"]);
    }

    [Fact]
    public async Task Streams_SeveralAtOnce_ShareOneHttp2Connection()
    {
        using var client = new RestClient(await ConfigAsync(HttpProtocols.Http1AndHttp2));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var streams = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.Get().Namespace("default").Resource("configmaps").StreamAsync(cts.Token)));
        var firstLines = new List<string>();
        foreach (var stream in streams)
        {
            using var reader = new StreamReader(stream);
            firstLines.Add(await reader.ReadLineAsync(cts.Token) ?? "");
        }

        Assert.All(firstLines, l => Assert.StartsWith("HTTP/2 ", l, StringComparison.Ordinal));
        Assert.Single(firstLines.Distinct());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>A TLS server speaking <paramref name="protocols"/> and a client config for it.</summary>
    private async Task<ClientConfig> ConfigAsync(HttpProtocols protocols)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = protocols;
            l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = _certs.Server });
        }));
        var app = builder.Build();
        _apps.Add(app);
        app.MapGet("/api/v1/namespaces/default/pods/p", (HttpContext ctx) => Results.Text(
            """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default","labels":{"protocol":""" + "\"" + ctx.Request.Protocol.Replace('/', '_') + "\"}}}",
            "application/json"));

        // A long-running response: the protocol and the connection it arrived on, then nothing until the client leaves.
        app.MapGet("/api/v1/namespaces/default/configmaps", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($"{ctx.Request.Protocol} {ctx.Connection.Id}\n", ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        await app.StartAsync();
        var yaml = $"""
            current-context: t
            clusters:
            - name: c
              cluster: {"{"}server: "{app.Urls.First()}", insecure-skip-tls-verify: true{"}"}
            users:
            - name: u
              user: {"{"}token: abc{"}"}
            contexts:
            - name: t
              context: {"{"}cluster: c, user: u{"}"}
            """;
        return ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(yaml));
    }
}
