using System.Net;
using System.Net.Http.Headers;
using Skiff.Client.Config;
using Skiff.Client.Rest;

namespace Skiff.Robustness.Driver;

/// <summary>
/// A raw HTTPS connection to an API server, made from a kubeconfig: the checker talks to the server only as a client,
/// so it stays independent of the server's code. TLS is the client SDK's (<see cref="ClientTls"/>); the requests and
/// their deadlines are the checker's own.
/// </summary>
public sealed class ApiConnection : IDisposable
{
    private ApiConnection(HttpClient http, Uri server)
    {
        Http = http;
        Server = server;
    }

    /// <summary>The client (no timeout of its own: each request carries its own deadline).</summary>
    public HttpClient Http { get; }

    public Uri Server { get; }

    /// <summary>Connects with the current context of the kubeconfig at <paramref name="path"/>, over HTTP/1.1 or HTTP/2.</summary>
    public static ApiConnection FromKubeconfig(string path, bool http2 = false)
    {
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(path));
        var handler = new SocketsHttpHandler
        {
            SslOptions = ClientTls.Options(config),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return Create(config.Host, handler, http2, config.BearerToken);
    }

    /// <summary>Connects to <paramref name="server"/> through <paramref name="handler"/> (which the connection then owns).</summary>
    public static ApiConnection Create(Uri server, SocketsHttpHandler handler, bool http2 = false, string? bearerToken = null)
    {
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, BaseAddress = server };
        if (http2)
        {
            http.DefaultRequestVersion = HttpVersion.Version20;
            http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        if (bearerToken is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        http.DefaultRequestHeaders.UserAgent.ParseAdd("skiff-robustness/1.0");
        return new ApiConnection(http, server);
    }

    public void Dispose() => Http.Dispose();
}
