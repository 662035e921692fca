using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// Real servers for probes on 127.0.0.1 (Kestrel): HTTP/1.1 on <see cref="HttpPort"/> (and HTTPS with a self-signed
/// certificate on <see cref="HttpsPort"/>) serving <c>/ok</c>, <c>/fail</c> (500), <c>/redirect</c> (302 to /ok),
/// <c>/away</c> (302 to another host name), <c>/loop</c> (302 to itself), <c>/big</c> (20 KiB), <c>/slow</c> (answers
/// after 10 s), <c>/echo</c> (the request's User-Agent, Accept, Host and X-Test); and the standard gRPC health service
/// (<see cref="Health"/>) over plaintext HTTP/2 on <see cref="GrpcPort"/>. A class fixture: started once per test class.
/// </summary>
public sealed class ProbeTargets : IAsyncLifetime
{
    private WebApplication _app = null!;

    public HealthServiceImpl Health { get; } = new();

    public int HttpPort { get; private set; }

    public int HttpsPort { get; private set; }

    public int GrpcPort { get; private set; }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; o.UseHttps(SelfSigned()); });
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Health);
        var app = builder.Build();
        app.MapGet("/ok", () => "fine");
        app.MapGet("/fail", () => Results.Text("broken inside", statusCode: 500));
        app.MapGet("/redirect", () => Results.Redirect("/ok"));
        app.MapGet("/loop", () => Results.Redirect("/loop"));
        app.MapGet("/away", (HttpContext c) => Results.Redirect($"http://localhost:{c.Connection.LocalPort}/ok"));
        app.MapGet("/big", () => new string('x', 20 * 1024));
        app.MapGet("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return "late";
        });
        app.MapGet("/echo", (HttpRequest r) => $"ua={r.Headers.UserAgent};accept={r.Headers.Accept};host={r.Host};x={r.Headers["X-Test"]}");
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        var ports = app.Urls.Select(u => new Uri(u)).ToList();
        (HttpPort, HttpsPort, GrpcPort) = (ports[0].Port, ports[1].Port, ports[2].Port);
        Health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        _app = app;
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=probe-target", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
