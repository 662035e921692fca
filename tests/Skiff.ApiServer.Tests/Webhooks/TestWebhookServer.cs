using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Skiff.ApiServer.Tests.Webhooks;

/// <summary>
/// A webhook server for tests: Kestrel on 127.0.0.1 over TLS, with its own self-signed CA (<see cref="CaBundle"/>,
/// base64 PEM for <c>clientConfig.caBundle</c>) and a serving certificate for 127.0.0.1, localhost and any extra DNS
/// names. Each path answers a posted review through a handler; <see cref="Requests"/> records what was posted.
/// </summary>
public sealed class TestWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, Func<JsonObject, Task<JsonObject>>> _handlers = new(StringComparer.Ordinal);

    private TestWebhookServer(WebApplication app, string caPem)
    {
        _app = app;
        CaBundle = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem));
    }

    /// <summary>The CA bundle (base64 of the PEM) that signed the serving certificate.</summary>
    public string CaBundle { get; }

    /// <summary>The bound port.</summary>
    public int Port { get; private set; }

    /// <summary>Every review posted, with its path, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Path, JsonObject Body)> Requests { get; } = new();

    /// <summary>The https URL of <paramref name="path"/>.</summary>
    public string Url(string path) => $"https://127.0.0.1:{Port}{path}";

    /// <summary>Answers posts to <paramref name="path"/> with <paramref name="handler"/>.</summary>
    public void Map(string path, Func<JsonObject, Task<JsonObject>> handler)
    {
        lock (_handlers)
        {
            _handlers[path] = handler;
        }
    }

    /// <summary>Starts a server whose certificate also names <paramref name="dnsNames"/>.</summary>
    public static async Task<TestWebhookServer> StartAsync(params string[] dnsNames)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=skiff-test-webhook-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // Valid as long as its CA: a second "now" read later could fall past the CA's (whole-second) notAfter under load.
        using var leafPublic = leafRequest.Create(ca, new DateTimeOffset(ca.NotBefore), new DateTimeOffset(ca.NotAfter), RandomNumberGenerator.GetBytes(8));
        var leaf = X509CertificateLoader.LoadPkcs12(leafPublic.CopyWithPrivateKey(leafKey).Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(leaf)));
        var app = builder.Build();
        var server = new TestWebhookServer(app, ca.ExportCertificatePem());
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return server;
    }

    /// <summary>An allowed AdmissionReview response to <paramref name="review"/>, with optional JSON patch and warnings.</summary>
    public static JsonObject Allow(JsonObject review, JsonArray? patch = null, params string[] warnings)
    {
        var response = new JsonObject { ["uid"] = review["request"]!["uid"]!.GetValue<string>(), ["allowed"] = true };
        if (patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }

        if (warnings.Length > 0)
        {
            response["warnings"] = new JsonArray(warnings.Select(w => (JsonNode?)w).ToArray());
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    /// <summary>A denial with <paramref name="message"/> and <paramref name="code"/>.</summary>
    public static JsonObject Deny(JsonObject review, string message, int code = 403) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["response"] = new JsonObject
        {
            ["uid"] = review["request"]!["uid"]!.GetValue<string>(),
            ["allowed"] = false,
            ["status"] = new JsonObject { ["code"] = code, ["message"] = message },
        },
    };

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        Func<JsonObject, Task<JsonObject>>? handler;
        lock (_handlers)
        {
            _handlers.TryGetValue(ctx.Request.Path.Value ?? "", out handler);
        }

        if (handler is null)
        {
            ctx.Response.StatusCode = 404;
            return;
        }

        var body = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(ctx.Request.Body))!;
        Requests.Enqueue((ctx.Request.Path.Value!, body));
        var answer = await handler(body);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(answer.ToJsonString());
    }
}
