using System.Text;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Skiff.Api.Errors;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Serialization;

/// <summary>
/// Decodes <c>application/yaml</c> bodies into JSON like sigs.k8s.io/yaml: the first document only; plain scalars
/// resolve to null, booleans, integers and floats; quoted scalars stay strings. Alias expansion, nesting and the
/// decoded size are bounded (see <see cref="YamlJsonReader"/>); invalid UTF-8 is rejected as go-yaml rejects it.
/// Every failure is a <see cref="StatusException"/> (400, or 413 for size).
/// </summary>
public sealed class YamlContentDecoder : IContentDecoder
{
    /// <summary>The shared instance.</summary>
    public static YamlContentDecoder Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> MediaTypes { get; } = ["application/yaml", "application/apply-patch+yaml"];

    /// <inheritdoc/>
    public JsonNode? Decode(ReadOnlyMemory<byte> body)
    {
        if (!Utf8.IsValid(body.Span))
        {
            throw StatusErrors.BadRequest("error converting YAML to JSON: yaml: invalid leading UTF-8 octet");
        }

        return YamlJsonReader.ReadFirstDocument(Encoding.UTF8.GetString(body.Span));
    }
}
