using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.Examples.AggregatedApiServer;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>
/// <see cref="KubeletProxy.UpgradeToAsync(HttpContext, Uri, bool, RemoteCertificateValidationCallback?, string?, CancellationToken)"/>
/// with a certificate check (the aggregator's caBundle): a backend the check refuses gets no request at all, and the
/// caller gets a Status error; one it accepts gets the upgrade request for the given server name.
/// </summary>
public sealed class KubeletProxyUpgradeTests
{
    [Fact]
    public async Task RefusedBackendCertificate_SendsNothing_AndFails()
    {
        using var serving = ServingCertificate.Create("api", "wardle");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var backend = ServeOnceAsync(listener, serving);
            using var proxy = new KubeletProxy(() => serving.Certificate);
            var ctx = UpgradeContext();
            var error = await Assert.ThrowsAsync<StatusException>(() => proxy.UpgradeToAsync(ctx, new Uri($"https://127.0.0.1:{port}/apis/x"), presentCertificate: false,
                (_, _, _, _) => false, "api.wardle.svc", CancellationToken.None));
            Assert.Contains("error dialing backend", error.Message, StringComparison.Ordinal);
            var (seenName, head) = await backend.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal("api.wardle.svc", seenName);
            Assert.Equal("", head);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static DefaultHttpContext UpgradeContext()
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = "GET";
        ctx.Request.Headers.Connection = "Upgrade";
        ctx.Request.Headers.Upgrade = "websocket";
        ctx.Features.Set<IHttpUpgradeFeature>(new Upgradable());
        return ctx;
    }

    /// <summary>Accepts one TLS connection; returns the SNI name the client asked for and whatever request head it sent.</summary>
    private static async Task<(string? ServerName, string Head)> ServeOnceAsync(TcpListener listener, ServingCertificate serving)
    {
        using var client = await listener.AcceptTcpClientAsync();
        string? name = null;
        await using var ssl = new SslStream(client.GetStream());
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, host) =>
                {
                    name = host;
                    return serving.Certificate;
                },
            });
            var buffer = new byte[4096];
            var n = await ssl.ReadAsync(buffer);
            return (name, System.Text.Encoding.Latin1.GetString(buffer, 0, n));
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            // The client gave up after refusing the certificate: it sent nothing.
            return (name, "");
        }
    }

    private sealed class Upgradable : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => true;

        public Task<Stream> UpgradeAsync() => throw new InvalidOperationException("a refused backend must never be switched to");
    }
}
