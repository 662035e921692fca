using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.Client.Rest;

/// <summary>A successful response: status code, content type and the whole body.</summary>
public sealed class RestResult
{
    public RestResult(HttpStatusCode statusCode, string? contentType, byte[] body)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    public HttpStatusCode StatusCode { get; }

    public string? ContentType { get; }

    public byte[] Body { get; }

    /// <summary>The body decoded as <typeparamref name="T"/> (a model type, or <see cref="JsonObject"/>).</summary>
    public T Into<T>() => KubernetesSerialization.Deserialize<T>(Body);

    /// <summary>The body as UTF-8 text.</summary>
    public string AsString() => Encoding.UTF8.GetString(Body);
}
