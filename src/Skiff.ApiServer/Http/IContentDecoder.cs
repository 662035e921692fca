using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Http;

/// <summary>
/// Decodes a request body of one or more media types into its JSON form. The API server picks the decoder by the
/// request's Content-Type; JSON and YAML are built in, protobuf plugs in here (register it in
/// <see cref="Hosting.ApiServerOptions.ExtraDecoders"/>).
/// </summary>
public interface IContentDecoder
{
    /// <summary>The media types (<c>type/subtype</c>, lower case) this decoder reads.</summary>
    IReadOnlyList<string> MediaTypes { get; }

    /// <summary>Decodes <paramref name="body"/>; throws <see cref="Skiff.Api.Errors.StatusException"/> (400) for malformed input.</summary>
    JsonNode? Decode(ReadOnlyMemory<byte> body);
}
