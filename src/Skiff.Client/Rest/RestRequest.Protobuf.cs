using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Config;

namespace Skiff.Client.Rest;

/// <summary>Protobuf negotiation of a request (client-go's <c>ContentConfig</c> with a protobuf content type).</summary>
public sealed partial class RestRequest
{
    /// <summary>What a protobuf-speaking request accepts: protobuf, or JSON for kinds without a protobuf form.</summary>
    public const string ProtobufAccept = ProtobufCodec.ContentType + ", application/json";

    private bool _protobuf;

    /// <summary>Whether this request negotiates protobuf (see <see cref="PreferProtobuf"/>).</summary>
    public bool UsesProtobuf => _protobuf;

    private string EffectiveAccept => _protobuf && _accept == "application/json" ? ProtobufAccept : _accept;

    /// <summary>
    /// Speaks protobuf for objects of <paramref name="apiVersion"/>/<paramref name="kind"/> when the client's
    /// <see cref="ClientConfig.ContentType"/> is <see cref="WireFormat.Protobuf"/> and the kind has a protobuf form (a
    /// built-in kind): the request accepts protobuf (and JSON), and a model body of a POST or PUT set afterwards with
    /// <see cref="Body"/> is sent as protobuf. Patches, DeleteOptions, strings, bytes and JSON nodes are sent as they
    /// are. Otherwise (custom resources, <see cref="WireFormat.Json"/>) nothing changes. Responses are always decoded
    /// by their Content-Type.
    /// </summary>
    public RestRequest PreferProtobuf(string apiVersion, string kind)
    {
        _protobuf = _client.Config.ContentType == WireFormat.Protobuf && ProtobufCodec.CanEncode(apiVersion, kind);
        return this;
    }

    /// <summary>Whether a media type (without parameters) is Kubernetes protobuf.</summary>
    internal static bool IsProtobuf(string? mediaType)
        => string.Equals(mediaType, ProtobufCodec.ContentType, StringComparison.OrdinalIgnoreCase);

    internal static V1Status? TryDecodeProtobufStatus(byte[] body, int code)
    {
        try
        {
            var obj = ProtobufCodec.Decode(body);
            if (obj["kind"]?.GetValue<string>() != "Status")
            {
                return null;
            }

            var status = ProtobufSerialization.FromObject<V1Status>(obj);
            status.Code ??= code;
            return status;
        }
        catch (Exception e) when (e is ProtobufDecodeException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The events of a protobuf watch stream (length-prefixed WatchEvent frames).</summary>
    internal static async IAsyncEnumerable<WatchEvent<T>> ReadProtobufWatchAsync<T>(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        while (await ProtobufWatch.ReadEventAsync(stream, ct).ConfigureAwait(false) is { } e)
        {
            WatchEventType type = e.Type switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                "ERROR" => throw new KubernetesApiException(ProtobufSerialization.FromObject<V1Status>(e.Object)),
                _ => throw new JsonException($"unknown watch event type \"{e.Type}\""),
            };
            yield return new WatchEvent<T>(type, ProtobufSerialization.FromObject<T>(e.Object));
        }
    }

    private byte[]? TryEncodeProtobufBody(object body)
    {
        if (!_protobuf || (_method != HttpMethod.Post && _method != HttpMethod.Put)
            || body is not IKubernetesObject k || !ProtobufSerialization.CanEncode(k))
        {
            return null;
        }

        var bytes = ProtobufSerialization.Serialize(body);
        _contentType = ProtobufCodec.ContentType;
        return bytes;
    }
}
