using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Client.Options;

namespace Skiff.Client.Rest;

/// <summary>
/// One request, built fluently (client-go <c>rest.Request</c>):
/// <c>client.Get().Group("apps").Version("v1").Namespace("ns").Resource("deployments").Name("web").DoAsync(ct)</c>.
/// Sending waits on the client's token bucket, retries 429 (and 5xx with <c>Retry-After</c>) up to
/// <see cref="Config.ClientConfig.MaxRetries"/> times honouring <c>Retry-After</c>, and turns every other failure into a
/// <see cref="KubernetesApiException"/>. A request object is single-use and not thread-safe.
/// </summary>
public sealed partial class RestRequest
{
    internal static readonly HttpRequestOptionsKey<bool> StreamingOption = new("skiff.streaming");

    private readonly RestClient _client;
    private readonly HttpMethod _method;
    private readonly List<KeyValuePair<string, string>> _query = [];
    private string _group = "";
    private string _version = "v1";
    private string? _namespace;
    private string? _resource;
    private string? _name;
    private string[] _subresource = [];
    private string? _absPath;
    private byte[]? _body;
    private string _contentType = "application/json";
    private string _accept = "application/json";
    private TimeSpan? _timeout;

    internal RestRequest(RestClient client, HttpMethod method)
    {
        _client = client;
        _method = method;
    }

    /// <summary>The API group ("" for core, the default).</summary>
    public RestRequest Group(string group)
    {
        _group = group;
        return this;
    }

    public RestRequest Version(string version)
    {
        _version = version;
        return this;
    }

    /// <summary>Sets group and version from an apiVersion such as <c>apps/v1</c> or <c>v1</c>.</summary>
    public RestRequest ApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Group("").Version(apiVersion) : Group(apiVersion[..slash]).Version(apiVersion[(slash + 1)..]);
    }

    /// <summary>Scopes the request to a namespace; null or empty means cluster-wide (or all namespaces).</summary>
    public RestRequest Namespace(string? ns)
    {
        _namespace = string.IsNullOrEmpty(ns) ? null : ns;
        return this;
    }

    public RestRequest Resource(string resource)
    {
        _resource = resource;
        return this;
    }

    public RestRequest Name(string? name)
    {
        _name = string.IsNullOrEmpty(name) ? null : name;
        return this;
    }

    public RestRequest SubResource(params string[] subresource)
    {
        _subresource = subresource;
        return this;
    }

    /// <summary>Uses an absolute path (e.g. <c>/apis</c>, <c>/version</c>) instead of group/version/resource.</summary>
    public RestRequest AbsPath(string path)
    {
        _absPath = path;
        return this;
    }

    public RestRequest Param(string name, string value)
    {
        _query.Add(new(name, value));
        return this;
    }

    /// <summary>Adds the options' query parameters.</summary>
    public RestRequest VersionedParams(IQueryParameters? options)
    {
        if (options is not null)
        {
            _query.AddRange(options.ToQuery());
        }

        return this;
    }

    /// <summary>The body: bytes and strings are sent as they are; anything else is serialized to JSON.</summary>
    public RestRequest Body(object? body)
    {
        _body = body switch
        {
            null => null,
            byte[] b => b,
            string s => Encoding.UTF8.GetBytes(s),
            JsonNode n => Encoding.UTF8.GetBytes(n.ToJsonString()),
            DeleteOptions d => KubernetesSerialization.SerializeToUtf8Bytes(d.ToModel()),
            _ when TryEncodeProtobufBody(body) is { } protobuf => protobuf,
            _ => JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), KubernetesSerialization.Options),
        };
        return this;
    }

    public RestRequest ContentType(string contentType)
    {
        _contentType = contentType;
        return this;
    }

    /// <summary>The Accept header (default <c>application/json</c>), e.g. to ask for aggregated discovery.</summary>
    public RestRequest Accept(string accept)
    {
        _accept = accept;
        return this;
    }

    /// <summary>Per-request timeout (also sent as the <c>timeout</c> parameter, as client-go does).</summary>
    public RestRequest Timeout(TimeSpan timeout)
    {
        _timeout = timeout;
        return this;
    }

    /// <summary>The request's path and query, relative to the server's base address.</summary>
    public string BuildPath()
    {
        var sb = new StringBuilder();
        if (_absPath is not null)
        {
            sb.Append(_absPath);
        }
        else
        {
            sb.Append(_group.Length == 0 ? "/api/" : $"/apis/{_group}/").Append(_version);
            if (_namespace is not null && _resource != "namespaces")
            {
                sb.Append("/namespaces/").Append(Uri.EscapeDataString(_namespace));
            }

            if (_resource is not null)
            {
                sb.Append('/').Append(_resource);
            }

            if (_resource == "namespaces" && _namespace is not null && _name is null)
            {
                sb.Append('/').Append(Uri.EscapeDataString(_namespace));
            }

            if (_name is not null)
            {
                sb.Append('/').Append(Uri.EscapeDataString(_name));
            }

            foreach (var s in _subresource)
            {
                sb.Append('/').Append(s);
            }
        }

        var query = new List<KeyValuePair<string, string>>(_query);
        if (_timeout is { } t && t > TimeSpan.Zero && t != System.Threading.Timeout.InfiniteTimeSpan)
        {
            query.Add(new("timeout", ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"));
        }

        for (var i = 0; i < query.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&').Append(Uri.EscapeDataString(query[i].Key)).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }

        // The base address may carry a path prefix: keep it by making the path relative.
        return sb.ToString().TrimStart('/');
    }

    /// <summary>Sends the request and reads the whole response.</summary>
    /// <exception cref="KubernetesApiException">The server answered with an error.</exception>
    public async Task<RestResult> DoAsync(CancellationToken ct = default)
    {
        using var timeout = CreateTimeout(ct);
        var token = timeout?.Token ?? ct;
        using var response = await SendAsync(streaming: false, token).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
        return new RestResult(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    /// <summary>Sends the request and returns the response body as a stream (logs, raw watch, …). Dispose it.</summary>
    public async Task<Stream> StreamAsync(CancellationToken ct = default)
    {
        var response = await SendAsync(streaming: true, ct).ConfigureAwait(false);
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Watches: adds <c>watch=true</c> and yields each event of the newline-delimited JSON stream until the server ends
    /// it or <paramref name="ct"/> is cancelled (which closes the connection). An <c>ERROR</c> event ends the stream with a
    /// <see cref="KubernetesApiException"/> carrying its Status (410 Expired when the resourceVersion is too old).
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>([EnumeratorCancellation] CancellationToken ct = default)
    {
        Param("watch", "true");
        using var response = await SendAsync(streaming: true, ct).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        if (IsProtobuf(response.Content.Headers.ContentType?.MediaType))
        {
            await foreach (var e in ReadProtobufWatchAsync<T>(stream, ct).ConfigureAwait(false))
            {
                yield return e;
            }

            yield break;
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line is null)
            {
                yield break;
            }

            if (line.Length == 0)
            {
                continue;
            }

            yield return DecodeWatchEvent<T>(line);
        }
    }

    /// <summary>Decodes one line of a watch stream.</summary>
    /// <exception cref="KubernetesApiException">The event is an ERROR event.</exception>
    internal static WatchEvent<T> DecodeWatchEvent<T>(string line)
    {
        // Escapes of lone surrogates read as U+FFFD, as Go's decoder reads them (the stream reader has already
        // replaced invalid UTF-8).
        using var doc = line.Contains("\\u", StringComparison.Ordinal)
            ? JsonDocument.Parse(Skiff.Api.Serialization.GoJsonText.Repair(Encoding.UTF8.GetBytes(line)).ToArray())
            : JsonDocument.Parse(line);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        var obj = root.GetProperty("object");
        WatchEventType kind = type switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => throw new KubernetesApiException(KubernetesSerialization.Deserialize<V1Status>(obj)),
            _ => throw new JsonException($"unknown watch event type \"{type}\""),
        };
        return new WatchEvent<T>(kind, KubernetesSerialization.Deserialize<T>(obj));
    }

    private CancellationTokenSource? CreateTimeout(CancellationToken ct)
    {
        var t = _timeout ?? _client.Config.Timeout;
        if (t <= TimeSpan.Zero || t == System.Threading.Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(t);
        return cts;
    }

    private async Task<HttpResponseMessage> SendAsync(bool streaming, CancellationToken ct)
    {
        var path = BuildPath();
        for (var attempt = 0; ; attempt++)
        {
            if (_client.Throttle is { } throttle)
            {
                await throttle.WaitAsync(ct).ConfigureAwait(false);
            }

            using var request = new HttpRequestMessage(_method, path)
            {
                Version = _client.RequestVersion,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            request.Headers.TryAddWithoutValidation("Accept", EffectiveAccept);
            if (_client.Authorization is { } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            request.Options.Set(StreamingOption, streaming);
            if (_body is not null)
            {
                request.Content = new ByteArrayContent(_body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(_contentType);
            }

            var response = await _client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var code = (int)response.StatusCode;
            var retryAfter = RetryAfter(response);
            if (attempt < _client.Config.MaxRetries && (code == 429 || (code >= 500 && retryAfter is not null)))
            {
                response.Dispose();
                await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(1), _client.Config.TimeProvider, ct).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                throw await ToExceptionAsync(response, ct).ConfigureAwait(false);
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } ra)
        {
            return null;
        }

        if (ra.Delta is { } delta)
        {
            return delta < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delta;
        }

        return ra.Date is { } date ? (date - DateTimeOffset.UtcNow) is var d && d > TimeSpan.Zero ? d : TimeSpan.FromSeconds(1) : null;
    }

    private static async Task<KubernetesApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var code = (int)response.StatusCode;
        if (IsProtobuf(response.Content.Headers.ContentType?.MediaType)
            && TryDecodeProtobufStatus(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), code) is { } protobufStatus)
        {
            return new KubernetesApiException(protobufStatus);
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var body = Encoding.UTF8.GetString(bytes);
        try
        {
            using var doc = JsonDocument.Parse(Skiff.Api.Serialization.GoJsonText.Repair(bytes).ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("kind", out var kind) && kind.GetString() == "Status")
            {
                var status = KubernetesSerialization.Deserialize<V1Status>(doc.RootElement);
                status.Code ??= code;
                return new KubernetesApiException(status);
            }
        }
        catch (JsonException)
        {
        }

        return new KubernetesApiException(KubernetesApiException.StatusFromCode(code, body.Length is > 0 and < 1024 ? body.Trim() : null));
    }
}
