using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Serialization;

/// <summary>Decodes <c>application/vnd.kubernetes.protobuf</c> request bodies (the <c>k8s\0</c> envelope of built-in kinds) into JSON.</summary>
public sealed class ProtobufContentDecoder : IContentDecoder
{
    /// <summary>The shared instance.</summary>
    public static ProtobufContentDecoder Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> MediaTypes { get; } = [ProtobufCodec.ContentType];

    /// <inheritdoc/>
    public JsonNode? Decode(ReadOnlyMemory<byte> body)
    {
        try
        {
            return ProtobufCodec.Decode(body.Span);
        }
        catch (ProtobufDecodeException e)
        {
            throw Interim.Errors.BadRequest($"unable to decode protobuf body: {e.Message}");
        }
    }
}
