using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Webhooks;

/// <summary>
/// The one client the API server calls webhooks with (upstream's <c>webhook.ClientManager</c>): admission webhooks
/// and CRD conversion webhooks post a JSON review and read the JSON answer. One pooled <see cref="HttpClient"/> per
/// connection config (<see cref="WebhookClientConfig.PoolKey"/>); TLS verifies the serving certificate against the
/// config's <c>caBundle</c> (or the system roots) and the server name (the URL's host, or <c>name.namespace.svc</c>
/// for a Service, dialled at the address <see cref="WebhookServiceResolver"/> gives). The timeout is sent as
/// <c>?timeout=Ns</c>, as upstream does. Failures are <see cref="WebhookCallException"/>s worded as Go's client.
/// </summary>
public sealed class WebhookClient(WebhookServiceResolver resolver) : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Posts <paramref name="body"/> and returns the decoded JSON answer.</summary>
    public async Task<JsonObject> PostAsync(WebhookClientConfig config, JsonObject body, TimeSpan timeout, CancellationToken ct)
    {
        if (config.Url is null && config.Service is null)
        {
            throw new WebhookCallException("invalid configuration: exactly one of url or service is required");
        }

        var seconds = (long)Math.Ceiling(timeout.TotalSeconds);
        var url = config.DisplayUrl + (config.DisplayUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "timeout=" + seconds.ToString(CultureInfo.InvariantCulture) + "s";
        var client = _clients.GetOrAdd(config.PoolKey, _ => CreateClient(config));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)) { Headers = { ContentType = Json } },
            };
            request.Headers.Accept.ParseAdd("application/json, */*");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new WebhookCallException(StatusText((int)response.StatusCode, bytes));
            }

            try
            {
                return JsonNode.Parse(bytes) as JsonObject ?? throw new WebhookCallException("the response is not a JSON object");
            }
            catch (JsonException e)
            {
                throw new WebhookCallException($"couldn't get version/kind; json parse error: {e.Message}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new WebhookCallException($"Post \"{url}\": context deadline exceeded") { TimedOut = true };
        }
        catch (HttpRequestException e)
        {
            throw new WebhookCallException($"Post \"{url}\": {Describe(e, config)}", e);
        }
    }

    /// <summary>Disposes the pooled clients.</summary>
    public void Dispose()
    {
        foreach (var c in _clients.Values)
        {
            c.Dispose();
        }

        _clients.Clear();
    }

    private HttpClient CreateClient(WebhookClientConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Verify(certificate, errors, config.CaBundle),
            },
        };
        if (config.Service is { } service)
        {
            // Dial the resolved endpoint; the URL keeps name.namespace.svc, so SNI and the name check use it.
            handler.ConnectCallback = async (context, token) =>
            {
                var (host, port) = await resolver.ResolveAsync(service, token).ConfigureAwait(false);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(host, port, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool Verify(X509Certificate? certificate, SslPolicyErrors errors, byte[]? caBundle)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        if (caBundle is null)
        {
            return errors == SslPolicyErrors.None;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(Encoding.ASCII.GetString(caBundle));
        }
        catch (CryptographicException)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static string Describe(HttpRequestException e, WebhookClientConfig config)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case AuthenticationException:
                    return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return $"dial tcp {Authority(config)}: connect: connection refused";
                case SocketException s:
                    return $"dial tcp {Authority(config)}: {s.Message}";
                case WebhookCallException w:
                    return w.Message;
            }
        }

        return e.Message;
    }

    private static string Authority(WebhookClientConfig config)
    {
        if (config.Url is { } u && Uri.TryCreate(u, UriKind.Absolute, out var uri))
        {
            return $"{uri.Host}:{uri.Port}";
        }

        return config.Service is { } s ? $"{s.ServerName}:{s.Port}" : "";
    }

    /// <summary>Go's rest client on a non-2xx answer: the Status message when the body is one, else the generic text.</summary>
    private static string StatusText(int code, byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject o && o["kind"]?.GetValue<string>() == "Status" && o["message"]?.GetValue<string>() is { Length: > 0 } m)
            {
                return m;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Not a Status.
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        return text.Length > 0
            ? $"an error on the server (\"{text}\") has prevented the request from succeeding"
            : $"the server responded with the status code {code} but did not return more information";
    }
}
