using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Config;
using Skiff.Client.Protobuf;

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

    /// <summary>
    /// The events of a protobuf watch stream (length-prefixed WatchEvent frames). Each event's embedded envelope is decoded
    /// straight to <typeparamref name="T"/> when the typed codec binds it, otherwise through the JSON object form.
    /// </summary>
    internal static async IAsyncEnumerable<WatchEvent<T>> ReadProtobufWatchAsync<T>(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        while (await ProtobufWatch.ReadFrameAsync(stream, ct).ConfigureAwait(false) is { } body)
        {
            yield return DecodeProtobufWatchEvent<T>(body);
        }
    }

    /// <summary>One WatchEvent message (the frame body).</summary>
    /// <exception cref="KubernetesApiException">The event is an ERROR event.</exception>
    internal static WatchEvent<T> DecodeProtobufWatchEvent<T>(ReadOnlySpan<byte> body)
    {
        if (TryReadWatchEnvelope(body, out var typeName, out var raw) && typeName != "ERROR"
            && ProtobufModelCodec.TryDecode<T>(raw, out var typed))
        {
            return new WatchEvent<T>(WatchType(typeName), typed);
        }

        var e = ProtobufWatch.DecodeEvent(body);
        if (e.Type == "ERROR")
        {
            throw new KubernetesApiException(ProtobufSerialization.FromObject<V1Status>(e.Object));
        }

        return new WatchEvent<T>(WatchType(e.Type), ProtobufSerialization.FromObject<T>(e.Object));
    }

    private static WatchEventType WatchType(string type) => type switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "BOOKMARK" => WatchEventType.Bookmark,
        _ => throw new JsonException($"unknown watch event type \"{type}\""),
    };

    /// <summary>The type and the embedded envelope of a well-formed WatchEvent whose object is protobuf; false for
    /// anything else (left to <see cref="ProtobufWatch.DecodeEvent"/>, which reports errors).</summary>
    private static bool TryReadWatchEnvelope(ReadOnlySpan<byte> body, out string type, out ReadOnlySpan<byte> raw)
    {
        type = string.Empty;
        raw = default;
        try
        {
            var reader = new ProtoReader(body);
            var hasObject = false;
            while (!reader.End)
            {
                var n = reader.ReadTag(out var wire);
                if (n is 1 or 2 && wire != 2)
                {
                    return false;
                }

                if (n == 1)
                {
                    type = ProtoWire.Utf8(reader.ReadLengthDelimited());
                }
                else if (n == 2)
                {
                    var ext = new ProtoReader(reader.ReadLengthDelimited());
                    while (!ext.End)
                    {
                        var en = ext.ReadTag(out var ew);
                        if (en == 1 && ew == 2)
                        {
                            raw = ext.ReadLengthDelimited();
                            hasObject = true;
                        }
                        else if (en == 1)
                        {
                            return false;
                        }
                        else
                        {
                            ext.Skip(ew, en);
                        }
                    }
                }
                else
                {
                    reader.Skip(wire, n);
                }
            }

            return hasObject && type.Length > 0 && ProtobufCodec.IsEnvelope(raw);
        }
        catch (ProtobufDecodeException)
        {
            return false;
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
