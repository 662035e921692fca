using System.Net;
using System.Text;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>
/// <c>services/{[scheme:]name[:port]}/proxy/…</c> against a real HTTP backend on 127.0.0.1 that an EndpointSlice
/// names: upstream's port resolution (number → the service port's name → the slice's port), path and query forwarding,
/// bodies both ways, backend redirects rewritten under the proxy prefix, the bare
/// <c>…/proxy</c> redirected, and upstream's 503s.
/// </summary>
public sealed class ProxySubresourceTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>, IAsyncLifetime
{
    private readonly HttpListener _backend = new();
    private readonly string _service = "echo-" + Guid.NewGuid().ToString("N")[..6];
    private int _port;
    private Task _serve = Task.CompletedTask;

    private string Prefix => $"/api/v1/namespaces/default/services/{_service}";

    public async Task InitializeAsync()
    {
        _port = FreePort();
        _backend.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _backend.Start();
        _serve = ServeAsync();
        await LoopbackService.CreateAsync(f.Cp, _service, _port, "127.0.0.2");
    }

    public async Task DisposeAsync()
    {
        _backend.Stop();
        _backend.Close();
        await _serve.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task NumberedPort_ForwardsPathQueryAndBody()
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}:8080/proxy/some/path?x=1&y=2") { Content = new StringContent("payload", Encoding.UTF8, "text/plain") };
        using var resp = await f.Cp.Client.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("POST /some/path?x=1&y=2 auth=none body=payload", text);
        Assert.Equal("yes", resp.Headers.GetValues("X-Backend").Single());
    }

    [Fact]
    public async Task NamedPortAndScheme_ReachTheSameEndpoint()
    {
        Assert.Equal("GET / auth=none body=", await GetAsync($"{Prefix}:http/proxy/"));
        Assert.Equal("GET /a/ auth=none body=", await GetAsync($"/api/v1/namespaces/default/services/http:{_service}:8080/proxy/a/"));
    }

    [Fact]
    public async Task BackendRedirect_IsRewrittenUnderTheProxyPrefix()
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, $"{Prefix}:8080/proxy/redirect");
        using var resp = await f.Cp.Client.SendAsync(req);

        // The test client follows redirects: landing on the backend's /target proves the Location was rewritten.
        Assert.Equal("GET /target auth=none body=", await resp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BareProxyPath_IsRedirectedToTheTrailingSlash()
    {
        // Followed by the client: the backend sees "/".
        Assert.Equal("GET /?q=1 auth=none body=", await GetAsync($"{Prefix}:8080/proxy?q=1"));
    }

    [Fact]
    public async Task UnknownPortOrNoEndpoints_Is503_BadIdIs400()
    {
        var (code, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Prefix}:9999/proxy/");
        Assert.Equal(503, code);
        Assert.Equal($"no service port 9999 found for service \"{_service}\"", body!["message"]!.GetValue<string>());
        Assert.Equal("ServiceUnavailable", body["reason"]!.GetValue<string>());

        (code, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Prefix}/proxy/");
        Assert.Equal(503, code);
        Assert.Equal($"no endpoints available for service \"{_service}\"", body!["message"]!.GetValue<string>());

        (code, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/services/ftp:{_service}:8080/proxy/");
        Assert.Equal(400, code);
        Assert.Equal("BadRequest", body!["reason"]!.GetValue<string>());

        (code, _, _) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/missing-svc:80/proxy/");
        Assert.Equal(404, code);
    }

    private async Task<string> GetAsync(string path)
    {
        using var resp = await f.Cp.Client.GetAsync(path);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"{(int)resp.StatusCode} {text}");
        return text;
    }

    private async Task ServeAsync()
    {
        while (_backend.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _backend.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(ctx.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            if (ctx.Request.Url!.AbsolutePath == "/redirect")
            {
                ctx.Response.StatusCode = 302;
                ctx.Response.RedirectLocation = "/target";
                ctx.Response.Close();
                continue;
            }

            var auth = ctx.Request.Headers["Authorization"] is null ? "none" : "forwarded";
            var text = Encoding.UTF8.GetBytes($"{ctx.Request.HttpMethod} {ctx.Request.Url.PathAndQuery} auth={auth} body={body}");
            ctx.Response.Headers["X-Backend"] = "yes";
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.OutputStream.WriteAsync(text);
            ctx.Response.Close();
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
