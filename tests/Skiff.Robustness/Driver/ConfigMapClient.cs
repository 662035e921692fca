using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Driver;

/// <summary>
/// Raw REST calls on the configmaps of one namespace, each answered as an <see cref="ApiAnswer"/>: 2xx is
/// <see cref="Outcome.Ok"/>, 409 AlreadyExists/Conflict and 404 keep their meaning, and everything else (timeouts,
/// broken connections, 5xx, 429) is <see cref="Outcome.Unknown"/>: the write may or may not have happened.
/// <para>
/// Every write carries a body (a delete without a precondition an empty <c>DeleteOptions</c>) in a
/// <see cref="CountedContent"/>: a failed write is <see cref="ApiAnswer.NotSent"/> only when its body never reached
/// a connection. The final error does not prove it: <see cref="SocketsHttpHandler"/> retries a request without a body
/// that a pooled connection dropped before answering, so "connection refused" can be the retry's error after the first
/// attempt reached a server that carried it out and was killed before answering (as etcd's robustness client, any
/// other failure of a sent write is unknown).
/// </para>
/// </summary>
public sealed class ConfigMapClient(ApiConnection connection, string ns, TimeSpan requestTimeout)
{
    private const string Json = "application/json";

    public string Namespace => ns;

    public Task<ApiAnswer> CreateAsync(string name, ObjectValue value, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, Collection, ConfigMapJson.Body(ns, name, value, null), ct);

    public Task<ApiAnswer> UpdateAsync(string name, ObjectValue value, long? precondition, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, Item(name), ConfigMapJson.Body(ns, name, value, precondition), ct);

    public Task<ApiAnswer> DeleteAsync(string name, long? precondition, CancellationToken ct)
    {
        var body = precondition is { } p
            ? $$$"""{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"{{{p.ToString(CultureInfo.InvariantCulture)}}}"}}"""
            : """{"kind":"DeleteOptions","apiVersion":"v1"}""";
        return SendAsync(HttpMethod.Delete, Item(name), body, ct);
    }

    public Task<ApiAnswer> GetAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Get, Item(name), null, ct);

    /// <summary>A consistent list (no resourceVersion) of the namespace.</summary>
    public Task<ApiAnswer> ListAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, Collection, null, ct);

    /// <summary>The URL of a watch from <paramref name="resourceVersion"/> with bookmarks.</summary>
    public string WatchPath(long resourceVersion, string? labelSelector, int timeoutSeconds)
    {
        var path = $"{Collection}?watch=true&allowWatchBookmarks=true&resourceVersion={resourceVersion.ToString(CultureInfo.InvariantCulture)}&timeoutSeconds={timeoutSeconds.ToString(CultureInfo.InvariantCulture)}";
        return labelSelector is null ? path : path + "&labelSelector=" + Uri.EscapeDataString(labelSelector);
    }

    private string Collection => $"/api/v1/namespaces/{ns}/configmaps";

    private string Item(string name) => $"{Collection}/{name}";

    private async Task<ApiAnswer> SendAsync(HttpMethod method, string path, string? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        var content = body is null ? null : new CountedContent(body);
        request.Content = content;

        request.Headers.Accept.ParseAdd(Json);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(requestTimeout);
        try
        {
            using var response = await connection.Http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return Map(response.StatusCode, bytes);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Failed(ex, content);
        }
    }

    /// <summary>
    /// A request that got no answer: not sent when provably so (a write whose body was never written, or a read whose
    /// connection was refused: leaving a read out of the history is always sound), else of unknown outcome.
    /// </summary>
    public static ApiAnswer Failed(Exception ex, CountedContent? content)
    {
        var refused = ex is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };
        var detail = ex.GetType().Name + ": " + ex.Message;
        return content switch
        {
            null when refused => new ApiAnswer(Outcome.Unknown, null, "read: connection refused", NotSent: true),
            { Sends: 0 } => new ApiAnswer(Outcome.Unknown, null, "body never sent: " + detail, NotSent: true),
            { Sends: var n } => new ApiAnswer(Outcome.Unknown, null, string.Create(CultureInfo.InvariantCulture, $"body sent {n}x: {detail}")),
            _ => new ApiAnswer(Outcome.Unknown, null, detail),
        };
    }

    private static ApiAnswer Map(HttpStatusCode status, byte[] bytes)
    {
        JsonElement? body = null;
        try
        {
            body = bytes.Length > 0 ? JsonDocument.Parse(bytes).RootElement : null;
        }
        catch (JsonException)
        {
        }

        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return body is null ? new ApiAnswer(Outcome.Unknown, null, $"{code} with no JSON body") : new ApiAnswer(Outcome.Ok, body, null);
        }

        var reason = body is { } b && b.TryGetProperty("reason", out var r) ? r.GetString() : null;
        var message = body is { } m && m.TryGetProperty("message", out var msg) ? msg.GetString() : null;
        var detail = $"{code} {reason}: {message}";
        return code switch
        {
            409 when reason == "AlreadyExists" => new ApiAnswer(Outcome.AlreadyExists, null, detail),
            409 => new ApiAnswer(Outcome.Conflict, null, detail),
            404 => new ApiAnswer(Outcome.NotFound, null, detail),
            _ => new ApiAnswer(Outcome.Unknown, null, detail) { Unexpected = code == 500 || (code is >= 400 and < 500 && code != 429) },
        };
    }
}
